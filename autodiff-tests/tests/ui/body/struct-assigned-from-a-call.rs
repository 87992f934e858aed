// A local struct assigned what a plain helper returns (a step function's new state): the
// macro keeps the struct as its fields and cannot look into the helper's result; the message
// says to compute the fields in place or return an array.
use autodiff::grad;

#[derive(Clone, Copy, Debug)]
struct State {
    x: f64,
    v: f64,
}

fn step(s: State, k: f64, dt: f64) -> State {
    let v = s.v - dt * k * s.x;
    State { x: s.x + dt * v, v }
}

#[grad(k)]
fn energy_after(k: f64, n: usize) -> f64 {
    let mut s = State { x: 1.0, v: 0.0 };
    for _ in 0..n {
        s = step(s, k, 0.1);
    }
    s.x * s.x + s.v * s.v
}

fn main() {}
