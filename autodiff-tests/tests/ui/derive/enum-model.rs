// A model is a struct of parameters; an enum has no fixed set of them.
#[derive(Clone, autodiff::Params)]
enum Activation {
    Relu,
    Leaky(f64),
}

fn main() {}
