use autodiff::grad;

// Generic over `T` without a `Float` bound (TheAlgorithms' `abs`): the message says which
// bound to add, not which internal item needs it.
#[grad]
pub fn abs<T>(num: T) -> T
where
    T: std::ops::Neg<Output = T> + PartialOrd + Copy + num_traits::Zero,
{
    if num < T::zero() {
        return -num;
    }
    num
}

fn main() {}
