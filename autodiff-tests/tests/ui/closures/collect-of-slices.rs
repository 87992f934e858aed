use autodiff::grad;

// The points of a flat coordinate list, collected as slices, then paired.
#[grad]
fn products_of_neighbours(xy: &[f64]) -> f64 {
    let pts: Vec<&[f64]> = xy.chunks(2).collect();
    pts.windows(2).map(|w| w[0][0] * w[1][1]).sum()
}

fn main() {}
