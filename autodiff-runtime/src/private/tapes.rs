//! The tapes a reverse sweep reads what its forward sweep saved from: a stack of branch
//! bits, stacks of values kept on the call's stack until they outgrow it, and the flat tapes
//! of a loop's copies of a scratch vector.

use core::mem::MaybeUninit;

/// A stack of bits: the branch decisions a loop's reverse sweep replays, one bit each. The
/// first 64 are kept inline (no allocation for a short loop).
#[derive(Debug, Default)]
pub struct BitStack {
    first: u64,
    words: Vec<u64>,
    len: usize,
}

impl BitStack {
    #[inline(always)]
    pub fn push(&mut self, bit: bool) {
        let (word, offset) = (self.len / 64, self.len % 64);
        if word == 0 {
            self.first |= u64::from(bit) << offset;
        } else {
            if offset == 0 {
                self.words.push(0);
            }
            self.words[word - 1] |= u64::from(bit) << offset;
        }
        self.len += 1;
    }

    /// The last decision pushed, removed. The reverse sweep pops exactly what the forward
    /// sweep pushed, so an empty stack is a bug in autodiff-macros.
    #[inline(always)]
    pub fn pop(&mut self) -> bool {
        self.len -= 1;
        let (word, offset) = (self.len / 64, self.len % 64);
        // A popped bit is cleared: a loop fused with its reverse pushes again after popping.
        let slot = match word {
            0 => &mut self.first,
            _ => &mut self.words[word - 1],
        };
        let bit = *slot >> offset & 1 == 1;
        *slot &= !(1 << offset);
        if offset == 0 && word > 0 {
            self.words.pop();
        }
        bit
    }
}

/// Pops a value the forward sweep pushed. The reverse sweep pops exactly what the forward
/// sweep pushed, so an empty tape is a bug in autodiff-macros.
#[inline(always)]
pub fn pop<T>(tape: &mut impl Tape<T>) -> T {
    match tape.pop_value() {
        Some(v) => v,
        None => empty_tape(),
    }
}

/// What a loop's values are saved on: a `Vec`, or a [`StackTape`] when the trip counts are
/// constants.
pub trait Tape<T> {
    fn pop_value(&mut self) -> Option<T>;
}

impl<T> Tape<T> for Vec<T> {
    #[inline(always)]
    fn pop_value(&mut self) -> Option<T> {
        self.pop()
    }
}

/// A loop's tape: its first `N` values on the stack (all of them for a loop with a small
/// constant trip count: no allocation), the rest on the heap.
pub struct StackTape<T, const N: usize> {
    inline: [Option<T>; N],
    /// Values pushed and not popped: the first `N` are `inline`, the others `spill`.
    len: usize,
    spill: Vec<T>,
}

impl<T: Copy, const N: usize> Default for StackTape<T, N> {
    #[inline(always)]
    fn default() -> Self {
        StackTape {
            inline: [None; N],
            len: 0,
            spill: Vec::new(),
        }
    }
}

impl<T: Copy, const N: usize> StackTape<T, N> {
    /// Room for `additional` more values: what does not fit on the stack is reserved on the
    /// heap, once.
    #[inline(always)]
    pub fn reserve(&mut self, additional: usize) {
        let free = N.saturating_sub(self.len);
        if additional > free {
            self.spill.reserve(additional - free);
        }
    }

    #[inline(always)]
    pub fn push(&mut self, value: T) {
        if self.len < N {
            self.inline[self.len] = Some(value);
        } else {
            self.spill.push(value);
        }
        self.len += 1;
    }

    /// The last value pushed, removed (a branch decision, for a stack of bools).
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        match self.pop_value() {
            Some(v) => v,
            None => empty_tape(),
        }
    }
}

impl<T: Copy, const N: usize> Tape<T> for StackTape<T, N> {
    #[inline(always)]
    fn pop_value(&mut self) -> Option<T> {
        self.len = self.len.checked_sub(1)?;
        if self.len < N {
            self.inline[self.len]
        } else {
            self.spill.pop()
        }
    }
}

/// The storage of a [`SlotTape`], declared by the generated code beside the tape, which
/// borrows it: `N` slots on the stack, and the heap buffer that takes over when they are too
/// few. The tape itself owns nothing, so it lives in registers.
pub struct TapeSlots<T, const N: usize> {
    stack: [MaybeUninit<T>; N],
    /// Its length stays 0: the slots are its capacity.
    heap: Vec<MaybeUninit<T>>,
}

#[inline(always)]
pub fn tape_slots<T, const N: usize>() -> TapeSlots<T, N> {
    TapeSlots {
        stack: [const { MaybeUninit::uninit() }; N],
        heap: Vec::new(),
    }
}

/// A loop's tape: the values are written into slots reserved before the loop runs, on the
/// stack while they fit in the `N` slots the generated code declares (all of them for a loop
/// with a small constant trip count: no allocation), else in one heap buffer that takes them
/// all.
///
/// A push into a reserved slot is a compare, a store and an increment, with no call that could
/// grow the buffer: the loop keeps the tape's length in a register. Every counted loop
/// reserves its trip count before it runs (`reserve`) and pushes with `push`; a loop whose
/// trip count is not known in advance (`while`, `loop`) pushes with `push_grow`.
pub struct SlotTape<'a, T> {
    /// The first slot: of the stack slots, or of `heap`.
    ptr: *mut MaybeUninit<T>,
    /// Slots at `ptr`.
    cap: usize,
    /// Values pushed and not popped; the slots below `len` are initialized.
    len: usize,
    heap: &'a mut Vec<MaybeUninit<T>>,
}

impl<'a, T: Copy> SlotTape<'a, T> {
    #[inline(always)]
    pub fn new<const N: usize>(slots: &'a mut TapeSlots<T, N>) -> Self {
        SlotTape {
            ptr: slots.stack.as_mut_ptr(),
            cap: N,
            len: 0,
            heap: &mut slots.heap,
        }
    }

    /// Room for `additional` more values.
    #[inline(always)]
    pub fn reserve(&mut self, additional: usize) {
        let need = self.len.saturating_add(additional);
        if need > self.cap {
            (self.ptr, self.cap) = grow(self.heap, self.ptr, self.cap, self.len, need);
        }
    }

    /// Pushes into a reserved slot. The generated code reserves every counted loop's entries
    /// before the loop, so running out is a bug in autodiff-macros.
    #[inline(always)]
    pub fn push(&mut self, value: T) {
        if self.len >= self.cap {
            unreserved_tape();
        }
        // SAFETY: `len < cap`, and `ptr` is valid for `cap` slots.
        unsafe { self.ptr.add(self.len).write(MaybeUninit::new(value)) };
        self.len += 1;
    }

    /// Pushes, growing the tape when it is full (a loop whose trip count is not known before
    /// it runs).
    #[inline(always)]
    pub fn push_grow(&mut self, value: T) {
        if self.len >= self.cap {
            (self.ptr, self.cap) = grow(self.heap, self.ptr, self.cap, self.len, self.len + 1);
        }
        // SAFETY: as in `push`.
        unsafe { self.ptr.add(self.len).write(MaybeUninit::new(value)) };
        self.len += 1;
    }

    /// The last `n` values pushed, oldest first: a reverse loop of `n` iterations that runs
    /// forwards reads one per iteration, then drops them with `discard`.
    #[inline(always)]
    pub fn last(&self, n: usize) -> &[T] {
        let Some(start) = self.len.checked_sub(n) else {
            empty_tape()
        };
        // SAFETY: the slots below `len` are initialized, and `start..len` is within them.
        unsafe { core::slice::from_raw_parts(self.ptr.add(start).cast::<T>(), n) }
    }

    /// Drops the last `n` values pushed.
    #[inline(always)]
    pub fn discard(&mut self, n: usize) {
        let Some(len) = self.len.checked_sub(n) else {
            empty_tape()
        };
        self.len = len;
    }
}

/// Moves a tape's `len` values at `ptr` (`cap` slots) into a new heap buffer of at least
/// `need` slots (at least twice the slots there are, so that repeated reservations allocate a
/// logarithmic number of times), kept in `heap`; returns its first slot and its slots. The
/// tape's fields go in and out by value, so that nothing takes the tape's address.
#[cold]
#[inline(never)]
fn grow<T>(
    heap: &mut Vec<MaybeUninit<T>>,
    ptr: *mut MaybeUninit<T>,
    cap: usize,
    len: usize,
    need: usize,
) -> (*mut MaybeUninit<T>, usize) {
    let cap = need.max(cap.saturating_mul(2));
    let mut bigger: Vec<MaybeUninit<T>> = Vec::with_capacity(cap);
    // SAFETY: `ptr` is valid for `len` initialized slots (the borrowed stack slots or the old
    // heap buffer, still alive), `bigger` has room for `cap >= len` slots, and the two do not
    // overlap.
    unsafe { core::ptr::copy_nonoverlapping(ptr, bigger.as_mut_ptr(), len) };
    *heap = bigger;
    (heap.as_mut_ptr(), cap)
}

impl<T: Copy> Tape<T> for SlotTape<'_, T> {
    #[inline(always)]
    fn pop_value(&mut self) -> Option<T> {
        self.len = self.len.checked_sub(1)?;
        // SAFETY: the slot below the old `len` was written by a push (slots below `len` are
        // initialized) and is within `cap`.
        Some(unsafe { self.ptr.add(self.len).read().assume_init() })
    }
}

/// Appends a copy of `values` (a scratch vector, once per iteration) to a loop's tape, reserved
/// before the loop. A short one without a call of `memcpy`, which costs more than copying two
/// numbers (3% of the ADBench GMM at d = 2): two to four as an array, whose `extend` checks
/// the capacity once and keeps the length in a register (a `push` each stores it back: 3% of
/// the instructions at d = 2); from about ten on, `memcpy` is faster.
#[inline(always)]
pub fn append_copy<T: Copy>(tape: &mut Vec<T>, values: &[T]) {
    if values.len() <= 4 {
        match *values {
            [a, b] => tape.extend([a, b]),
            [a, b, c] => tape.extend([a, b, c]),
            [a, b, c, d] => tape.extend([a, b, c, d]),
            _ => {
                for &v in values {
                    tape.push(v);
                }
            }
        }
    } else {
        tape.extend_from_slice(values);
    }
}

/// The copy of a scratch vector of `len` elements that the last iteration of a loop appended
/// to `tape`, read in place by the reverse iteration, which then drops it with `drop_copy`.
#[inline]
pub fn last_copy<T>(tape: &[T], len: usize) -> &[T] {
    match tape.len().checked_sub(len) {
        Some(start) => &tape[start..],
        None => empty_tape(),
    }
}

#[cold]
fn empty_tape() -> ! {
    panic!("autodiff: the reverse sweep popped an empty tape (a bug in autodiff-macros)")
}

/// Removes the copy `last_copy` read from `tape`.
#[inline]
pub fn drop_copy<T>(tape: &mut Vec<T>, len: usize) {
    tape.truncate(tape.len() - len);
}

/// The last snapshot of `len` elements appended to a loop's flat snapshot tape (the copies a
/// loop takes of a scratch vector it passes to a call), removed from the tape and copied into
/// `buf`, a buffer reused by every reverse iteration: no allocation per iteration. For a loop
/// whose reverse iteration replays its forward one (checkpointing), which pushes snapshots
/// again; the others read theirs in place with [`snapshot_view`].
#[inline]
pub fn restore_snapshot<'b, T: Copy>(
    tape: &mut Vec<T>,
    len: usize,
    buf: &'b mut Vec<T>,
) -> &'b Vec<T> {
    let Some(start) = tape.len().checked_sub(len) else {
        empty_tape()
    };
    buf.clear();
    buf.extend_from_slice(&tape[start..]);
    tape.truncate(start);
    buf
}

/// The snapshot of `len` elements that ends at `end` on a loop's flat snapshot tape, as the
/// type the call it is passed to takes (inferred from the call): a slice or a fixed array
/// reads it in place, a `Vec` gets a copy in `buf` (reused by every reverse iteration).
/// `end` moves down past it; the reverse iteration truncates the tape to `end` when it is
/// done with its snapshots.
#[inline]
pub fn snapshot_view<'a, T: Copy, V: SnapshotView<T> + ?Sized>(
    tape: &'a [T],
    end: &mut usize,
    len: usize,
    buf: &'a mut Vec<T>,
) -> &'a V {
    let Some(start) = end.checked_sub(len) else {
        empty_tape()
    };
    let copy = &tape[start..*end];
    *end = start;
    V::view(copy, buf)
}

/// `&v[start..end]` of a snapshot passed to a call as a slice (`&buf[1..]`): `snapshot_view`
/// takes its type from the call, which indexing does not give.
#[inline(always)]
pub fn slice_part<T>(v: &[T], start: usize, end: usize) -> &[T] {
    &v[start..end]
}

/// What a snapshot of a scratch vector can be passed to a call as.
pub trait SnapshotView<T> {
    fn view<'a>(copy: &'a [T], buf: &'a mut Vec<T>) -> &'a Self;
}

impl<T> SnapshotView<T> for [T] {
    #[inline(always)]
    fn view<'a>(copy: &'a [T], _: &'a mut Vec<T>) -> &'a [T] {
        copy
    }
}

impl<T: Copy> SnapshotView<T> for Vec<T> {
    #[inline]
    fn view<'a>(copy: &'a [T], buf: &'a mut Vec<T>) -> &'a Vec<T> {
        buf.clear();
        buf.extend_from_slice(copy);
        buf
    }
}

#[cold]
fn unreserved_tape() -> ! {
    panic!("autodiff: a loop pushed more values on its tape than it reserved (a bug in autodiff-macros)")
}

#[cfg(test)]
mod tests {
    use super::{pop, tape_slots, BitStack, SlotTape, StackTape, Tape};

    #[test]
    fn bit_stack_pops_in_reverse_order_across_words() {
        let bits: Vec<bool> = (0..200).map(|i| (i * 7) % 3 == 0).collect();
        let mut stack = BitStack::default();
        for &b in &bits {
            stack.push(b);
        }
        for &b in bits.iter().rev() {
            assert_eq!(stack.pop(), b);
        }
        assert_eq!(stack.len, 0);
        assert!(stack.words.is_empty());
    }

    #[test]
    fn bit_stack_pushed_again_after_pops_keeps_the_new_bits() {
        let mut stack = BitStack::default();
        for round in 0..3 {
            let bits: Vec<bool> = (0..70).map(|i| (i + round) % 2 == 0).collect();
            for &b in &bits {
                stack.push(b);
            }
            for &b in bits.iter().rev().take(40) {
                assert_eq!(stack.pop(), b);
            }
            for &b in &bits[30..] {
                stack.push(!b);
            }
            for (i, &b) in bits[30..].iter().enumerate().rev() {
                assert_eq!(stack.pop(), !b, "round {round}, bit {}", 30 + i);
            }
            for &b in bits[..30].iter().rev() {
                assert_eq!(stack.pop(), b);
            }
        }
    }

    #[test]
    fn stack_tape_spills_past_its_capacity_and_pops_in_reverse_order() {
        let mut tape = StackTape::<(f64, usize), 4>::default();
        tape.reserve(10);
        for round in 0..2 {
            for i in 0..10 {
                tape.push((i as f64, i + round));
            }
            for i in (0..10).rev() {
                assert_eq!(pop(&mut tape), (i as f64, i + round));
            }
            assert_eq!(tape.pop_value(), None);
        }
        let mut bits = StackTape::<bool, 2>::default();
        bits.push(true);
        bits.push(false);
        bits.push(true);
        assert_eq!((bits.pop(), bits.pop(), bits.pop()), (true, false, true));
    }

    #[test]
    fn slot_tape_moves_to_the_heap_past_its_stack_slots_and_pops_in_reverse_order() {
        let mut slots = tape_slots::<(f64, usize), 4>();
        let mut tape = SlotTape::new(&mut slots);
        for round in 0..2 {
            tape.push((-1.0, round));
            tape.reserve(10);
            for i in 0..10 {
                tape.push((i as f64, i + round));
            }
            // A loop whose trip count is not known: grows as it goes.
            for i in 0..100 {
                tape.push_grow((0.5, i));
            }
            for i in (0..100).rev() {
                assert_eq!(pop(&mut tape), (0.5, i));
            }
            for i in (0..10).rev() {
                assert_eq!(pop(&mut tape), (i as f64, i + round));
            }
            assert_eq!(pop(&mut tape), (-1.0, round));
            assert_eq!(tape.pop_value(), None);
        }
    }

    #[test]
    fn slot_tape_hands_its_last_values_oldest_first_across_the_move_to_the_heap() {
        let mut slots = tape_slots::<(f64, usize), 4>();
        let mut tape = SlotTape::new(&mut slots);
        tape.reserve(3);
        for i in 0..3 {
            tape.push((i as f64, i));
        }
        tape.reserve(20);
        for i in 3..23 {
            tape.push((i as f64, i));
        }
        let last: Vec<usize> = tape.last(5).iter().map(|&(_, i)| i).collect();
        assert_eq!(last, [18, 19, 20, 21, 22]);
        tape.discard(5);
        assert_eq!(pop(&mut tape), (17.0, 17));
        assert_eq!(tape.last(17).first(), Some(&(0.0, 0)));
        assert!(tape.last(0).is_empty());
        tape.discard(17);
        assert_eq!(tape.pop_value(), None);
    }

    #[test]
    #[should_panic(expected = "popped an empty tape")]
    fn slot_tape_refuses_more_values_than_it_holds() {
        let mut slots = tape_slots::<f64, 4>();
        let mut tape = SlotTape::new(&mut slots);
        tape.reserve(1);
        tape.push(1.0);
        tape.last(2);
    }

    #[test]
    #[should_panic(expected = "more values on its tape than it reserved")]
    fn slot_tape_refuses_a_push_it_did_not_reserve() {
        let mut slots = tape_slots::<f64, 2>();
        let mut tape = SlotTape::new(&mut slots);
        // Room for 3: 4 slots (twice the 2 on the stack).
        tape.reserve(3);
        for _ in 0..5 {
            tape.push(1.0);
        }
    }
}
