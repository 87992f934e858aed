//! The sweeps of a checkpointed loop's segment loop (`crate::checkpoint`): its first run
//! pushes on no tape but its own (the state at the start of each segment), and each of its
//! reverse iterations restores a segment's state and runs the segment forward again, taped,
//! before reversing it.

use super::*;

impl Gen<'_> {
    /// Whether `l` is the loop over the segments of a checkpointed loop.
    pub(super) fn is_segment_loop(l: &Loop) -> bool {
        matches!(l.checkpoint, Some(Checkpoint::Segments { .. }))
    }

    /// At the start of a segment loop's reverse iteration, after its carried values and the
    /// copies of its arrays are popped: the arrays restored, then the segment run forward
    /// again with its tapes. Nothing for other loops.
    pub(super) fn replay_segment(&mut self, l: &Loop) -> TokenStream {
        let Some(Checkpoint::Segments { saved }) = &l.checkpoint else {
            return TokenStream::new();
        };
        let mut out = TokenStream::new();
        for (array, copy) in saved {
            let (a, c) = (self.array(*array), self.var(*copy));
            out.extend([quote!(#a = #c;)]);
        }
        let copies: HashSet<Var> = saved.iter().map(|(_, c)| *c).collect();
        let untaped = std::mem::replace(&mut self.untaped, false);
        for stmt in &l.body.stmts {
            if matches!(stmt, Stmt::Let { var, .. } if copies.contains(var)) {
                continue;
            }
            out.extend([self.forward_stmt(stmt)]);
        }
        self.untaped = untaped;
        out
    }
}
