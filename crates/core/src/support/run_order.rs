//! The order a batch of tasks runs in: by first day, then a rank, then the order the tasks
//! were made. The first tasks are known up front, in groups made together (one group gives
//! several tasks one after another), and are sorted once as plain numbers; tasks made while
//! running go through a heap.

use jiff::civil::Date;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Range;

/// A task's place in the run: first day, then rank, then number (the order made), packed
/// in one integer so that they sort as plain numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TaskOrder(u64);

impl TaskOrder {
    pub(crate) fn new(t: Date, rank: u8, task: usize) -> Self {
        // Years run from -9999 to 9999, so the offset year fits 15 bits; month 4, day 5.
        let day = (((i32::from(t.year()) + 10_000) as u64) << 9)
            | ((t.month() as u64) << 5)
            | t.day() as u64;
        TaskOrder((day << 40) | (u64::from(rank) << 32) | (task as u32 as u64))
    }

    pub(crate) fn day(self) -> u64 {
        self.0 >> 40
    }

    pub(crate) fn rank(self) -> u8 {
        (self.0 >> 32) as u8
    }

    /// The task's number: its group's, for a first task.
    pub(crate) fn task(self) -> usize {
        self.0 as u32 as usize
    }
}

/// The next task to run.
pub(crate) enum Next {
    /// A first task: item `item` of group `group`.
    First { group: usize, item: usize },
    /// A task made while running, by the number it was given.
    Later(usize),
}

/// Tasks in run order: the groups of first tasks, sorted once, each giving its items one
/// after another as they are reached; and the tasks made while running.
pub(crate) struct RunOrder {
    firsts: std::vec::IntoIter<TaskOrder>,
    /// The group being given out, and its items not given out yet.
    current: Option<(TaskOrder, Range<usize>)>,
    later: BinaryHeap<Reverse<TaskOrder>>,
}

impl RunOrder {
    /// The groups of first tasks, group `k` numbered `k`. Tasks made later are numbered
    /// after the groups, so that on the same day and rank every first task runs before them.
    pub(crate) fn new(mut firsts: Vec<TaskOrder>) -> Self {
        firsts.sort_unstable();
        RunOrder {
            firsts: firsts.into_iter(),
            current: None,
            later: BinaryHeap::new(),
        }
    }

    /// Adds a task made while running.
    pub(crate) fn push_later(&mut self, o: TaskOrder) {
        self.later.push(Reverse(o));
    }

    /// The earliest task not yet run, and its place in the run; with `day`, only one of
    /// that day. `items(g)` is the range of group `g`'s items (asked once per group), and
    /// `ahead` is shown the groups after one as it is reached.
    pub(crate) fn next(
        &mut self,
        items: impl Fn(usize) -> Range<usize>,
        ahead: impl Fn(&[TaskOrder]),
        day: Option<u64>,
    ) -> Option<(TaskOrder, Next)> {
        let a = self.peek_first(items, ahead);
        let b = self.later.peek().map(|r| r.0);
        let take_first = match (a, b) {
            (Some(a), Some(b)) => a < b,
            (a, _) => a.is_some(),
        };
        let key = if take_first { a } else { b }?;
        if day.is_some_and(|d| d != key.day()) {
            return None;
        }
        if take_first {
            let (o, left) = self.current.as_mut()?;
            let (group, item) = (o.task(), left.next()?);
            Some((key, Next::First { group, item }))
        } else {
            self.later.pop();
            Some((key, Next::Later(key.task())))
        }
    }

    /// The place in the run of the next first task, if any.
    fn peek_first(
        &mut self,
        items: impl Fn(usize) -> Range<usize>,
        ahead: impl Fn(&[TaskOrder]),
    ) -> Option<TaskOrder> {
        loop {
            if let Some((o, left)) = &self.current {
                if !left.is_empty() {
                    return Some(*o);
                }
            }
            let o = self.firsts.next()?;
            ahead(self.firsts.as_slice());
            self.current = Some((o, items(o.task())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn tasks_run_by_day_then_rank_then_number_first_tasks_before_later_ones() {
        // Group 0: two items on 2 Jan, rank 1; group 1: one item on 1 Jan, rank 2.
        let mut run = RunOrder::new(vec![
            TaskOrder::new(date(2020, 1, 2), 1, 0),
            TaskOrder::new(date(2020, 1, 1), 2, 1),
        ]);
        let items = |g: usize| if g == 0 { 10..12 } else { 20..21 };
        let mut seen = Vec::new();
        let mut pushed = false;
        while let Some((o, n)) = run.next(items, |_| {}, None) {
            seen.push(match n {
                Next::First { group, item } => (o.rank(), group, item),
                Next::Later(k) => (o.rank(), k, 0),
            });
            if !pushed {
                // Made while running: on 2 Jan, rank 1, numbered after the two groups.
                run.push_later(TaskOrder::new(date(2020, 1, 2), 1, 2));
                pushed = true;
            }
        }
        assert_eq!(seen, vec![(2, 1, 20), (1, 0, 10), (1, 0, 11), (1, 2, 0)]);
    }

    #[test]
    fn a_day_stops_the_run_at_the_first_task_of_another_day() {
        let mut run = RunOrder::new(vec![
            TaskOrder::new(date(2020, 1, 1), 0, 0),
            TaskOrder::new(date(2020, 1, 2), 0, 1),
        ]);
        let day = TaskOrder::new(date(2020, 1, 1), 0, 0).day();
        assert!(run.next(|_| 0..1, |_| {}, Some(day)).is_some());
        assert!(run.next(|_| 0..1, |_| {}, Some(day)).is_none());
        assert!(run.next(|_| 0..1, |_| {}, None).is_some());
    }
}
