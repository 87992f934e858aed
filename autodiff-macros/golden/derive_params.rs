#[automatically_derived]
impl<T: Float> ::autodiff::optim::Params for Net<T>
where
    T: ::autodiff::Float,
    Dense<T>: ::autodiff::optim::Params<Scalar = T>,
{
    type Scalar = T;
    fn walk(
        &self,
        at: ::core::option::Option<&::autodiff::optim::Name<'_>>,
        visit: &mut ::autodiff::optim::Visit<'_, Self::Scalar>,
    ) {
        {
            let name = ::autodiff::optim::Name::field(at, "hidden");
            for (index, mine) in self.hidden.iter().enumerate() {
                let name = ::autodiff::optim::Name::index(
                    ::core::option::Option::Some(&name),
                    index,
                );
                <Dense<
                    T,
                > as ::autodiff::optim::Params>::walk(
                    mine,
                    ::core::option::Option::Some(&name),
                    visit,
                );
            }
        }
        {
            let name = ::autodiff::optim::Name::field(at, "out");
            visit(::autodiff::optim::ParamSlice {
                name: &name,
                shape: &[self.out.len(), 4],
                values: self.out[..].as_flattened(),
            });
        }
        {
            let name = ::autodiff::optim::Name::field(at, "bias");
            visit(::autodiff::optim::ParamSlice {
                name: &name,
                shape: &[],
                values: ::core::slice::from_ref(&self.bias),
            });
        }
    }
    fn walk_mut(
        &mut self,
        at: ::core::option::Option<&::autodiff::optim::Name<'_>>,
        visit: &mut ::autodiff::optim::VisitMut<'_, Self::Scalar>,
    ) {
        {
            let name = ::autodiff::optim::Name::field(at, "hidden");
            for (index, mine) in self.hidden.iter_mut().enumerate() {
                let name = ::autodiff::optim::Name::index(
                    ::core::option::Option::Some(&name),
                    index,
                );
                <Dense<
                    T,
                > as ::autodiff::optim::Params>::walk_mut(
                    mine,
                    ::core::option::Option::Some(&name),
                    visit,
                );
            }
        }
        {
            let name = ::autodiff::optim::Name::field(at, "out");
            visit(::autodiff::optim::ParamSlice {
                name: &name,
                shape: &[self.out.len(), 4],
                values: self.out[..].as_flattened_mut(),
            });
        }
        {
            let name = ::autodiff::optim::Name::field(at, "bias");
            visit(::autodiff::optim::ParamSlice {
                name: &name,
                shape: &[],
                values: ::core::slice::from_mut(&mut self.bias),
            });
        }
    }
    fn walk_zip(
        &mut self,
        other: &Self,
        at: ::core::option::Option<&::autodiff::optim::Name<'_>>,
        visit: &mut ::autodiff::optim::VisitZip<'_, Self::Scalar>,
    ) {
        {
            let name = ::autodiff::optim::Name::field(at, "hidden");
            for (index, (mine, theirs)) in self
                .hidden
                .iter_mut()
                .zip(other.hidden.iter())
                .enumerate()
            {
                let name = ::autodiff::optim::Name::index(
                    ::core::option::Option::Some(&name),
                    index,
                );
                <Dense<
                    T,
                > as ::autodiff::optim::Params>::walk_zip(
                    mine,
                    theirs,
                    ::core::option::Option::Some(&name),
                    visit,
                );
            }
        }
        {
            let name = ::autodiff::optim::Name::field(at, "out");
            visit(
                ::autodiff::optim::ParamSlice {
                    name: &name,
                    shape: &[self.out.len(), 4],
                    values: self.out[..].as_flattened_mut(),
                },
                other.out[..].as_flattened(),
            );
        }
        {
            let name = ::autodiff::optim::Name::field(at, "bias");
            visit(
                ::autodiff::optim::ParamSlice {
                    name: &name,
                    shape: &[],
                    values: ::core::slice::from_mut(&mut self.bias),
                },
                ::core::slice::from_ref(&other.bias),
            );
        }
    }
    #[inline(always)]
    fn is_param_field(&self, name: &str) -> bool {
        ::core::matches!(name, "hidden" | "out" | "bias")
    }
}
