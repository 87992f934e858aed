// The rows of two matrices chained (a recommender regularizing both factor tables): each
// matrix's rows are reduced on their own instead. The message is at `chain` (it described a
// branch the user never wrote, at the attribute).
use autodiff::grad;

#[grad]
fn regularizer(p: &[[f64; 2]], q: &[[f64; 2]]) -> f64 {
    p.iter()
        .chain(q.iter())
        .map(|row| row[0] * row[0] + row[1] * row[1])
        .sum()
}

fn main() {}
