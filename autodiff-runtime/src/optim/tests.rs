//! Optimizers end to end: convergence on a convex quadratic, through the `Optimizer` trait.

use super::*;

/// Parameters of an ill-conditioned convex quadratic.
#[derive(Clone, Debug, Default, crate::Params)]
struct Quad {
    a: [f64; 3],
    b: f64,
}

const CURVATURE: [f64; 3] = [1.0, 4.0, 10.0];
const TARGET: [f64; 3] = [3.0, -1.0, 0.5];

/// loss = Σ k_i (a_i - c_i)² + 2 (b + 2)², minimum 0 at a = c, b = -2.
fn loss_and_grad(q: &Quad) -> (f64, Quad) {
    let mut loss = 2.0 * (q.b + 2.0).powi(2);
    let mut grad = Quad {
        b: 4.0 * (q.b + 2.0),
        ..Quad::default()
    };
    for i in 0..3 {
        loss += CURVATURE[i] * (q.a[i] - TARGET[i]).powi(2);
        grad.a[i] = 2.0 * CURVATURE[i] * (q.a[i] - TARGET[i]);
    }
    (loss, grad)
}

fn minimize(optimizer: &mut dyn Optimizer<Quad>, steps: usize) -> Quad {
    let mut q = Quad::default();
    let (start, _) = loss_and_grad(&q);
    let mut last = start;
    for _ in 0..steps {
        let (loss, grad) = loss_and_grad(&q);
        last = loss;
        optimizer.step(&mut q, &grad);
    }
    assert!(last < start, "the loss did not decrease: {start} -> {last}");
    q
}

fn assert_at_minimum(q: &Quad, tol: f64, what: &str) {
    for (i, (a, target)) in q.a.iter().zip(TARGET).enumerate() {
        assert!(
            (a - target).abs() < tol,
            "{what}: a[{i}] = {a} (want {target})"
        );
    }
    assert!((q.b + 2.0).abs() < tol, "{what}: b = {} (want -2)", q.b);
}

#[test]
fn sgd_variants_converge_on_a_quadratic() {
    // Largest curvature 2 * 10 = 20: plain gradient descent is stable for lr < 0.1.
    let configs = [
        ("plain", SgdConfig::new().with_learning_rate(0.04)),
        (
            "momentum",
            SgdConfig::new().with_learning_rate(0.02).with_momentum(0.8),
        ),
        (
            "nesterov",
            SgdConfig::new()
                .with_learning_rate(0.02)
                .with_momentum(0.8)
                .with_nesterov(true),
        ),
    ];
    for (what, config) in configs {
        let mut sgd = config.build().unwrap();
        let q = minimize(&mut sgd, 500);
        assert_at_minimum(&q, 1e-8, what);
    }
}

#[test]
fn sgd_with_weight_decay_converges_to_the_shrunk_minimum() {
    // With L2 decay λ the minimum of Σ k (a - c)² + λ/2 a² is a = 2 k c / (2 k + λ).
    let lambda = 0.5;
    let mut sgd = SgdConfig::new()
        .with_learning_rate(0.04)
        .with_momentum(0.5)
        .with_weight_decay(lambda)
        .build()
        .unwrap();
    let q = minimize(&mut sgd, 1000);
    for i in 0..3 {
        let want = 2.0 * CURVATURE[i] * TARGET[i] / (2.0 * CURVATURE[i] + lambda);
        assert!(
            (q.a[i] - want).abs() < 1e-8,
            "a[{i}] = {}, want {want}",
            q.a[i]
        );
    }
    let want_b = 4.0 * -2.0 / (4.0 + lambda);
    assert!((q.b - want_b).abs() < 1e-8, "b = {}, want {want_b}", q.b);
}

#[test]
fn adam_converges_on_a_quadratic() {
    let mut adam = AdamConfig::new().with_learning_rate(0.05).build().unwrap();
    let q = minimize(&mut adam, 3000);
    assert_at_minimum(&q, 1e-4, "adam");
}

#[test]
fn adam_with_a_cosine_schedule_converges_tightly() {
    let mut adam: Box<dyn Optimizer<Quad>> =
        Box::new(AdamConfig::new().with_learning_rate(0.1).build().unwrap());
    let schedule = CosineLr::new(0.1, 1e-4, 20).unwrap();
    let mut q = Quad::default();
    for epoch in 0..25 {
        adam.set_learning_rate(schedule.lr_at(epoch)).unwrap();
        for _ in 0..200 {
            let (_, grad) = loss_and_grad(&q);
            adam.step(&mut q, &grad);
        }
    }
    assert_eq!(adam.learning_rate(), 1e-4);
    assert_at_minimum(&q, 1e-6, "adam + cosine");
}

#[test]
#[should_panic(expected = "`params` has 2 elements in one value and 3 in the other")]
fn mismatched_gradient_panics() {
    let mut sgd = SgdConfig::new().build().unwrap();
    sgd.step(&mut vec![0.0, 0.0], &vec![1.0, 1.0, 1.0]);
}

#[test]
fn rmsprop_converges_on_a_quadratic() {
    for config in [
        RmspropConfig::new().with_learning_rate(0.01),
        RmspropConfig::new()
            .with_learning_rate(0.002)
            .with_momentum(0.9),
    ] {
        let mut rmsprop = config.build().unwrap();
        let q = minimize(&mut rmsprop, 4000);
        assert_at_minimum(&q, 1e-2, "rmsprop");
    }
}

/// `steps` steps on the quadratic with the gradient multiplied by `scale`.
fn scaled_run(config: &AdamConfig, scale: f64, steps: usize) -> Quad {
    let mut adam = config.build().unwrap();
    let mut q = Quad::default();
    for _ in 0..steps {
        let (_, mut grad) = loss_and_grad(&q);
        grad.for_each_slice_mut(|s| s.values.iter_mut().for_each(|g| *g *= scale));
        adam.step(&mut q, &grad);
    }
    q
}

#[test]
fn adamw_decay_is_decoupled_from_the_gradient_scale() {
    // Adam's step is invariant to the scale of the gradient (up to epsilon). AdamW's decay
    // is outside the gradient, so a 1000x gradient gives the same run; Adam's L2 decay is
    // added to the gradient, so there the scale changes the balance and the run.
    let adamw = AdamConfig::new()
        .with_learning_rate(0.05)
        .with_epsilon(1e-12)
        .with_decoupled_weight_decay(0.5);
    let (a, b) = (
        scaled_run(&adamw, 1.0, 200),
        scaled_run(&adamw, 1000.0, 200),
    );
    assert!((a.b - b.b).abs() < 1e-9, "{a:?} vs {b:?}");
    for i in 0..3 {
        assert!((a.a[i] - b.a[i]).abs() < 1e-9, "{a:?} vs {b:?}");
    }
    let adam = AdamConfig {
        decoupled: false,
        ..adamw.clone()
    };
    let (a, b) = (scaled_run(&adam, 1.0, 200), scaled_run(&adam, 1000.0, 200));
    assert!((a.a[0] - b.a[0]).abs() > 1e-3, "{a:?} vs {b:?}");
}

#[derive(Clone, Debug, Default, PartialEq, crate::Params)]
struct Block {
    w: [[f64; 2]; 2],
    b: f64,
}

/// A nested model: its slices in walk order are the flat parameters of the same problem.
#[derive(Clone, Debug, PartialEq, crate::Params)]
struct Deep {
    blocks: Vec<Block>,
    head: [Block; 1],
    #[params(skip)]
    steps: usize,
}

fn flat(model: &Deep) -> Vec<f64> {
    let mut values = Vec::new();
    model.for_each_slice(|s| values.extend_from_slice(s.values));
    values
}

/// `Deep` with its parameters set from `value(i)`, `i` the position in the walk.
fn deep(value: impl Fn(f64) -> f64) -> Deep {
    let mut model = Deep {
        blocks: vec![Block::default(); 2],
        head: [Block::default()],
        steps: 7,
    };
    let mut i = 0.0;
    model.for_each_slice_mut(|s| {
        for v in s.values {
            *v = value(i);
            i += 1.0;
        }
    });
    model
}

/// Three steps of optimizers built by `build` on the nested model and on its flat
/// parameters give the same parameters: the optimizer state follows the walk order.
fn same_steps<O: Optimizer<Deep> + Optimizer<Vec<f64>>>(what: &str, build: impl Fn() -> O) {
    let mut nested = deep(|i| 0.1 * i - 0.5);
    let mut flat_params = flat(&nested);
    let (mut on_nested, mut on_flat) = (build(), build());
    for step in 0..3 {
        let grads = deep(|i| (i * 0.7 + step as f64).sin());
        on_nested.step(&mut nested, &grads);
        on_flat.step(&mut flat_params, &flat(&grads));
    }
    assert_eq!(flat(&nested), flat_params, "{what}");
    assert_eq!(nested.steps, 7);
}

#[test]
fn optimizers_step_a_nested_model_as_its_flat_parameters() {
    same_steps("sgd", || {
        SgdConfig::new()
            .with_learning_rate(0.1)
            .with_momentum(0.9)
            .with_nesterov(true)
            .with_weight_decay(0.01)
            .build()
            .unwrap()
    });
    same_steps("adam", || AdamConfig::new().build().unwrap());
    same_steps("adamw", || AdamConfig::adamw().build().unwrap());
    same_steps("rmsprop", || {
        RmspropConfig::new().with_momentum(0.5).build().unwrap()
    });
}

#[test]
fn gradient_clipping_spans_a_nested_model() {
    let mut nested = deep(|i| i - 4.0);
    let mut flat_grads = flat(&nested);
    for clip in [GradientClip::GlobalNorm(2.0), GradientClip::Value(1.5)] {
        let norm = clip.apply(&mut nested).unwrap();
        assert_eq!(norm, clip.apply(&mut flat_grads).unwrap());
        assert_eq!(flat(&nested), flat_grads);
    }
}
