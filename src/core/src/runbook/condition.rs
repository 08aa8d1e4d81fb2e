//! `when:` conditions. A small language over earlier step results and variables:
//!
//! ```text
//! steps.build.ok and not steps.tests.skipped
//! vars.mode == "full" or steps.probe.exit_code != 0
//! ```
//!
//! Paths: `steps.<id>.ok|failed|skipped|exit_code|output`, `vars.<name>`. Literals: strings in
//! double quotes, integers, `true`, `false`. Operators: `==`, `!=`, `not`, `and`, `or`,
//! parentheses.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Text(String),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Text(t) => !t.is_empty(),
        }
    }

    fn loosely_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Text(a), Value::Int(b)) | (Value::Int(b), Value::Text(a)) => {
                a.trim() == b.to_string()
            }
            (a, b) => a == b,
        }
    }
}

/// What a condition can see of an earlier step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepOutcome {
    pub ok: bool,
    pub failed: bool,
    pub skipped: bool,
    pub exit_code: Option<i32>,
    /// The last part of the step's standard output, trimmed.
    pub output: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Literal(Value),
    Step { id: String, field: StepField },
    Var(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Eq(Box<Expr>, Box<Expr>, bool),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StepField {
    Ok,
    Failed,
    Skipped,
    ExitCode,
    Output,
}

/// A parsed condition with the step ids and variables it refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    source: String,
    expr: Expr,
}

/// A parse error: the byte offset in the expression and the message.
pub type ConditionError = (usize, String);

impl Condition {
    pub fn parse(source: &str) -> Result<Self, ConditionError> {
        let tokens = tokenize(source)?;
        let mut parser = Parser { tokens, pos: 0 };
        let expr = parser.or()?;
        if let Some((offset, token)) = parser.tokens.get(parser.pos) {
            return Err((
                *offset,
                format!("unexpected `{}` after a complete condition", token.text()),
            ));
        }
        Ok(Self {
            source: source.to_owned(),
            expr,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Step ids the condition reads, in order of appearance.
    pub fn step_refs(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.expr, &mut |e| {
            if let Expr::Step { id, .. } = e {
                out.push(id.clone());
            }
        });
        out
    }

    pub fn var_refs(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.expr, &mut |e| {
            if let Expr::Var(name) = e {
                out.push(name.clone());
            }
        });
        out
    }

    pub fn evaluate(
        &self,
        steps: &BTreeMap<String, StepOutcome>,
        vars: &BTreeMap<String, String>,
    ) -> bool {
        eval(&self.expr, steps, vars).truthy()
    }
}

fn walk(expr: &Expr, f: &mut impl FnMut(&Expr)) {
    f(expr);
    match expr {
        Expr::Not(a) => walk(a, f),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Eq(a, b, _) => {
            walk(a, f);
            walk(b, f);
        }
        _ => {}
    }
}

fn eval(
    expr: &Expr,
    steps: &BTreeMap<String, StepOutcome>,
    vars: &BTreeMap<String, String>,
) -> Value {
    match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Var(name) => Value::Text(vars.get(name).cloned().unwrap_or_default()),
        Expr::Step { id, field } => {
            let outcome = steps.get(id).cloned().unwrap_or_default();
            match field {
                StepField::Ok => Value::Bool(outcome.ok),
                StepField::Failed => Value::Bool(outcome.failed),
                StepField::Skipped => Value::Bool(outcome.skipped),
                StepField::ExitCode => Value::Int(outcome.exit_code.map(i64::from).unwrap_or(-1)),
                StepField::Output => Value::Text(outcome.output),
            }
        }
        Expr::Not(a) => Value::Bool(!eval(a, steps, vars).truthy()),
        Expr::And(a, b) => {
            Value::Bool(eval(a, steps, vars).truthy() && eval(b, steps, vars).truthy())
        }
        Expr::Or(a, b) => {
            Value::Bool(eval(a, steps, vars).truthy() || eval(b, steps, vars).truthy())
        }
        Expr::Eq(a, b, equal) => {
            Value::Bool(eval(a, steps, vars).loosely_equals(&eval(b, steps, vars)) == *equal)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Int(i64),
    EqEq,
    NotEq,
    Open,
    Close,
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Word(w) => w.clone(),
            Token::Str(s) => format!("\"{s}\""),
            Token::Int(i) => i.to_string(),
            Token::EqEq => "==".into(),
            Token::NotEq => "!=".into(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
        }
    }
}

fn tokenize(source: &str) -> Result<Vec<(usize, Token)>, ConditionError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((at, Token::Open));
                i += 1;
            }
            ')' => {
                out.push((at, Token::Close));
                i += 1;
            }
            '=' | '!' => {
                if chars.get(i + 1).map(|(_, c)| *c) != Some('=') {
                    return Err((
                        at,
                        format!("`{c}` must be followed by `=` (use `==` or `!=`; `not` negates)"),
                    ));
                }
                out.push((at, if c == '=' { Token::EqEq } else { Token::NotEq }));
                i += 2;
            }
            '"' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err((at, "unterminated string: add a closing `\"`".into())),
                        Some((_, '"')) => break,
                        Some((_, '\\')) if i + 1 < chars.len() => {
                            text.push(chars[i + 1].1);
                            i += 2;
                            continue;
                        }
                        Some((_, c)) => text.push(*c),
                    }
                    i += 1;
                }
                i += 1;
                out.push((at, Token::Str(text)));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i].1.is_ascii_digit() {
                    i += 1;
                }
                let text: String = chars[start..i].iter().map(|(_, c)| c).collect();
                let value = text
                    .parse()
                    .map_err(|_| (at, format!("`{text}` is not a whole number")))?;
                out.push((at, Token::Int(value)));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].1.is_alphanumeric() || matches!(chars[i].1, '_' | '-' | '.'))
                {
                    i += 1;
                }
                out.push((
                    at,
                    Token::Word(chars[start..i].iter().map(|(_, c)| c).collect()),
                ));
            }
            other => return Err((at, format!("unexpected character `{other}`"))),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some((_, Token::Word(w))) if w == word)
    }

    fn end_offset(&self) -> usize {
        self.tokens
            .last()
            .map(|(o, t)| o + t.text().len())
            .unwrap_or(0)
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        let mut left = self.not()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ConditionError> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ConditionError> {
        let left = self.atom()?;
        let equal = match self.tokens.get(self.pos) {
            Some((_, Token::EqEq)) => true,
            Some((_, Token::NotEq)) => false,
            _ => return Ok(left),
        };
        self.pos += 1;
        Ok(Expr::Eq(Box::new(left), Box::new(self.atom()?), equal))
    }

    fn atom(&mut self) -> Result<Expr, ConditionError> {
        let Some((offset, token)) = self.tokens.get(self.pos).cloned() else {
            return Err((
                self.end_offset(),
                "the condition ends too early: a value or path is missing".into(),
            ));
        };
        self.pos += 1;
        match token {
            Token::Open => {
                let inner = self.or()?;
                match self.tokens.get(self.pos) {
                    Some((_, Token::Close)) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err((offset, "this `(` is never closed".into())),
                }
            }
            Token::Str(s) => Ok(Expr::Literal(Value::Text(s))),
            Token::Int(i) => Ok(Expr::Literal(Value::Int(i))),
            Token::Word(w) => word(offset, &w),
            other => Err((
                offset,
                format!("expected a value or a path, found `{}`", other.text()),
            )),
        }
    }
}

fn word(offset: usize, word: &str) -> Result<Expr, ConditionError> {
    match word {
        "true" => return Ok(Expr::Literal(Value::Bool(true))),
        "false" => return Ok(Expr::Literal(Value::Bool(false))),
        _ => {}
    }
    let parts: Vec<&str> = word.split('.').collect();
    match parts.as_slice() {
        ["vars", name] if !name.is_empty() => Ok(Expr::Var((*name).to_owned())),
        ["steps", id, field] if !id.is_empty() => {
            let field = match *field {
                "ok" => StepField::Ok,
                "failed" => StepField::Failed,
                "skipped" => StepField::Skipped,
                "exit_code" => StepField::ExitCode,
                "output" => StepField::Output,
                other => {
                    return Err((offset, format!("`{other}` is not a step field; use ok, failed, skipped, exit_code or output")))
                }
            };
            Ok(Expr::Step { id: (*id).to_owned(), field })
        }
        _ => Err((offset, format!("`{word}` is not a path; use steps.<id>.<field>, vars.<name>, a \"string\", a number, true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes() -> BTreeMap<String, StepOutcome> {
        let mut m = BTreeMap::new();
        m.insert(
            "build".into(),
            StepOutcome {
                ok: true,
                exit_code: Some(0),
                output: "done".into(),
                ..Default::default()
            },
        );
        m.insert(
            "probe".into(),
            StepOutcome {
                failed: true,
                exit_code: Some(3),
                ..Default::default()
            },
        );
        m
    }

    fn eval(source: &str) -> bool {
        let vars = BTreeMap::from([("mode".to_string(), "full".to_string())]);
        Condition::parse(source)
            .unwrap()
            .evaluate(&outcomes(), &vars)
    }

    #[test]
    fn evaluates_paths_operators_and_precedence() {
        assert!(eval("steps.build.ok"));
        assert!(!eval("steps.probe.ok"));
        assert!(eval("steps.probe.failed and steps.build.ok"));
        assert!(eval("not steps.probe.ok"));
        assert!(eval("steps.probe.exit_code == 3"));
        assert!(eval("steps.probe.exit_code != 0"));
        assert!(eval("vars.mode == \"full\""));
        assert!(eval("steps.build.output == \"done\""));
        // and binds tighter than or
        assert!(eval("steps.build.ok or steps.probe.ok and false"));
        assert!(!eval("(steps.build.ok or steps.probe.ok) and false"));
        assert!(!eval("steps.missing.ok"), "an unknown outcome is not ok");
    }

    #[test]
    fn lists_references() {
        let c = Condition::parse("steps.a.ok and (vars.x == 1 or not steps.b.failed)").unwrap();
        assert_eq!(c.step_refs(), vec!["a", "b"]);
        assert_eq!(c.var_refs(), vec!["x"]);
    }

    #[test]
    fn errors_point_at_the_offending_place() {
        let cases = [
            ("steps.a.okay", 0, "not a step field"),
            ("steps.a.ok and", 14, "ends too early"),
            ("(steps.a.ok", 0, "never closed"),
            ("steps.a.ok = 1", 11, "must be followed by `=`"),
            ("steps.a.ok steps.b.ok", 11, "unexpected"),
            ("\"open", 0, "unterminated"),
            ("foo", 0, "not a path"),
            ("steps.a.ok & x", 11, "unexpected character"),
        ];
        for (source, offset, message) in cases {
            let (at, text) = Condition::parse(source).unwrap_err();
            assert_eq!(at, offset, "{source}: {text}");
            assert!(text.contains(message), "{source}: {text}");
        }
    }
}
