use autodiff::grad;

// A labeled block whose exits read a differentiated value.
#[grad]
fn clipped(x: f64) -> f64 {
    let y = 'b: {
        if x > 1.0 {
            break 'b 1.0;
        }
        if x < -1.0 {
            break 'b -1.0;
        }
        x * x
    };
    y * 2.0
}

fn main() {}
