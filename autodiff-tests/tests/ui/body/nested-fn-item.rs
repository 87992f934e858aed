use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    fn helper(v: f64) -> f64 {
        v * v
    }
    helper(x)
}

fn main() {}
