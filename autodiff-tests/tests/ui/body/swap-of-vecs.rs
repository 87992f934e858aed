use autodiff::grad;

// Pairwise reduction over two `Vec`s of different lengths: `std::mem::swap` exchanges their
// lengths too, which an element-by-element exchange cannot; fixed-size arrays are swapped.
#[grad]
fn halve(x: &[f64]) -> f64 {
    let mut a = x.to_vec();
    let mut b = vec![0.0; x.len() / 2];
    while a.len() > 1 {
        for i in 0..a.len() / 2 {
            b[i] = a[2 * i] * a[2 * i + 1];
        }
        std::mem::swap(&mut a, &mut b);
    }
    a[0]
}

fn main() {}
