// Every problem of a struct is reported in one build.
#[derive(Clone, autodiff::Params)]
struct Net<'a> {
    w: [[f64; 3]; 2],
    label: &'a str,
    b: [f32; 2],
    scale: Option<f64>,
}

fn main() {}
