// `&mut` data handed to a differentiated call (an RNG) is copied before the call, so that the
// reverse sweep replays the call from the state it saw: it must be `Clone`.
use autodiff::grad;

pub struct Rng(u64);

impl Rng {
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[grad(w)]
fn noisy(w: f64, rng: &mut Rng) -> f64 {
    w * rng.next_f64()
}

#[grad(w)]
fn loss(w: f64, rng: &mut Rng) -> f64 {
    noisy(w, rng).powi(2)
}

fn main() {
    let _ = loss_grad(1.0, &mut Rng(3));
}
