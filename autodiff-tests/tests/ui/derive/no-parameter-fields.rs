// Every field is skipped: nothing for an optimizer to train.
#[derive(Clone, autodiff::Params)]
struct Config {
    #[params(skip)]
    epochs: usize,
    #[params(skip)]
    learning_rate: f64,
}

fn main() {}
