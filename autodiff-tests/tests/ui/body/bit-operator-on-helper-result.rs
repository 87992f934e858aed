// A bit operator on what a plain helper returns from a float (libm's style), with nothing
// beside it that says it is an integer (a named mask, not a literal: `hx & 0x7fff_ffff` is read
// as integer arithmetic): the macro takes the helper's value for a float; the message says to
// write the integer type on the `let`.
use autodiff::grad;

const ABS_MASK: u32 = 0x7fff_ffff;

fn high_word(x: f64) -> u32 {
    (x.to_bits() >> 32) as u32
}

#[grad]
fn f(x: f64) -> f64 {
    let hx = high_word(x);
    if hx & ABS_MASK > 0x3ff0_0000 {
        x.ln()
    } else {
        x
    }
}

fn main() {}
