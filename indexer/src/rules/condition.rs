//! A rule's condition: a CEL expression over the hit's evidence, bound as
//! `event` (e.g. `event.asset == "native:inj" && event.amount.size() > 12`).

use std::sync::Arc;

use anyhow::{anyhow, bail, Result};
use serde_json::Value;

#[derive(Clone)]
pub struct Condition {
    source: String,
    program: Arc<cel::Program>,
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Condition").field(&self.source).finish()
    }
}

impl Condition {
    pub fn compile(source: &str) -> Result<Self> {
        if source.len() > 4_096 {
            bail!("a condition is at most 4096 characters");
        }
        let program = cel::Program::compile(source).map_err(|e| anyhow!("not a CEL expression: {e}"))?;
        Ok(Self {
            source: source.to_string(),
            program: Arc::new(program),
        })
    }

    /// True when the alert should be raised for this evidence.
    pub fn holds(&self, event: &Value) -> Result<bool> {
        self.holds_in(&cel::Context::default(), event)
    }

    /// [`Condition::holds`] in a scope of `base`, a standard context built
    /// once for many events (building one sets up the whole standard
    /// library: most of the cost of a small condition).
    pub fn holds_in(&self, base: &cel::Context<'_, '_>, event: &Value) -> Result<bool> {
        let mut context = base.new_inner_scope();
        context
            .add_variable("event", event)
            .map_err(|e| anyhow!("binding the event: {e}"))?;
        match self.program.execute(&context) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => bail!("the condition {:?} gave {other:?}, not a boolean", self.source),
            Err(e) => bail!("the condition {:?} failed: {e}", self.source),
        }
    }
}
