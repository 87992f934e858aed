// A slice of models as the differentiated parameter (the n-body energy of the benchmarks
// game): a sequence of models is differentiated as a field of a model.
use autodiff::{grad, Params};

#[derive(Clone, Copy, Debug, Params)]
struct Body {
    x: f64,
    mass: f64,
}

#[grad]
fn energy(bodies: &[Body]) -> f64 {
    let mut e = 0.0;
    for i in 0..bodies.len() {
        for j in (i + 1)..bodies.len() {
            e -= bodies[i].mass * bodies[j].mass / (bodies[i].x - bodies[j].x).abs();
        }
    }
    e
}

#[grad(bodies)]
fn kinetic(bodies: &Vec<Body>, v: f64) -> f64 {
    bodies[0].mass * v * v
}

fn main() {}
