use autodiff::grad;

pub struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[grad(x)]
fn noisy(x: f64, rng: &mut Lcg, n: usize) -> f64 {
    let mut h = x;
    #[checkpoint]
    for _ in 0..n {
        let noise = rng.uniform() - 0.5;
        h = (h + 0.1 * noise).sin();
    }
    h
}

fn main() {
    let _ = noisy_grad(0.5, &mut Lcg(1), 10);
}
