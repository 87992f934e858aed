use autodiff::grad;

// An f32 model accumulated in f64: the derivative does not follow the value into f64.
#[grad]
fn mean_in_f64(x: &[f32]) -> f32 {
    let mut acc = 0.0f64;
    for v in x {
        acc += *v as f64;
    }
    (acc / x.len() as f64) as f32
}

#[grad]
fn square_in_f64(x: f32) -> f32 {
    let y = f64::from(x);
    (y * y) as f32
}

#[grad]
fn sine_in_f32(x: f64) -> f64 {
    let y = x as f32;
    y.sin() as f64 * x
}

// `.into()` widening into f64: the sweeps would compute it in f32 (a wrong value).
#[grad]
fn widened(p: f32) -> f32 {
    let x: f64 = p.into();
    ((x + 1e10) - 1e10) as f32 * 1000.0
}

// `.into()` whose target the macro cannot see, in an f32 function.
#[grad]
fn widened_argument(p: f32) -> f32 {
    in_f64(p.into())
}

fn in_f64(x: f64) -> f32 {
    x as f32
}

fn main() {}
