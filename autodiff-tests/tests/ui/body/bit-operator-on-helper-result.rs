// A bit operator on what a plain helper returns from a float (libm's style): the macro takes
// the helper's value for a float; the message says to write the integer type on the `let`.
use autodiff::grad;

fn high_word(x: f64) -> u32 {
    (x.to_bits() >> 32) as u32
}

#[grad]
fn f(x: f64) -> f64 {
    let hx = high_word(x);
    if hx & 0x7fff_ffff > 0x3ff0_0000 {
        x.ln()
    } else {
        x
    }
}

fn main() {}
