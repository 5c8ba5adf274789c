//! An item's own questions (服务问卷): what its provider needs to know before coming (how many portions, how
//! the resident gets about, what is broken). Admins define them per item; the order form asks them; placing
//! an order checks the answers like every other field, naming `answers.<code>` when one is wrong. An answer
//! keeps the question's label as it was asked, so an order's history still reads after the questions change.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Invalid;

/// How many questions one item may ask.
pub const MAX_QUESTIONS: usize = 20;
/// How many choices one question may offer.
pub const MAX_CHOICES: usize = 20;

/// What kind of answer a question takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Free text of at most `max_chars` characters.
    Text {
        max_chars: u32,
    },
    /// A number from `min` to `max`, both included.
    Number {
        min: f64,
        max: f64,
    },
    /// One of the choices.
    Single {
        choices: Vec<String>,
    },
    /// Any of the choices, at least one when required.
    Multiple {
        choices: Vec<String>,
    },
    YesNo,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
}

impl QuestionKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            QuestionKind::Text { .. } => "text",
            QuestionKind::Number { .. } => "number",
            QuestionKind::Single { .. } => "single",
            QuestionKind::Multiple { .. } => "multiple",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Date => "date",
        }
    }
}

/// One question, as residents read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable and short (`portions`, `diet`): the key of its answer.
    pub code: String,
    pub label: String,
    /// A line of help under the question; may be empty.
    #[serde(default)]
    pub help: String,
    pub kind: QuestionKind,
    pub required: bool,
}

/// A question as an admin typed it; [`Questions::parse`] checks it.
#[derive(Clone, Debug, Default)]
pub struct QuestionInput {
    pub code: String,
    pub label: String,
    pub help: Option<String>,
    /// `text`, `number`, `single`, `multiple`, `yes_no` or `date`.
    pub kind: String,
    pub required: bool,
    pub max_chars: Option<u32>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub choices: Vec<String>,
}

/// An item's questions, in the order they are asked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Questions(Vec<Question>);

/// The answers as a request gave them: the question's code to a JSON value.
pub type RawAnswers = BTreeMap<String, serde_json::Value>;

/// A checked answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    Text(String),
    Number(f64),
    Single(String),
    Multiple(Vec<String>),
    YesNo(bool),
    Date(NaiveDate),
}

impl AnswerValue {
    /// The answer as a person reads it.
    pub fn text(&self) -> String {
        match self {
            AnswerValue::Text(s) | AnswerValue::Single(s) => s.clone(),
            AnswerValue::Number(n) => n.to_string(),
            AnswerValue::Multiple(choices) => choices.join("、"),
            AnswerValue::YesNo(true) => "是".to_owned(),
            AnswerValue::YesNo(false) => "否".to_owned(),
            AnswerValue::Date(d) => d.to_string(),
        }
    }

    /// The answer as JSON, the shape it was given in.
    pub fn json(&self) -> serde_json::Value {
        match self {
            AnswerValue::Text(s) | AnswerValue::Single(s) => s.clone().into(),
            AnswerValue::Number(n) => (*n).into(),
            AnswerValue::Multiple(choices) => choices.clone().into(),
            AnswerValue::YesNo(b) => (*b).into(),
            AnswerValue::Date(d) => d.to_string().into(),
        }
    }
}

/// One answer, with the question's label as it was asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub code: String,
    pub label: String,
    pub value: AnswerValue,
}

/// An order's answers, in the order the questions were asked; unanswered optional ones are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(pub Vec<Answer>);

fn code_ok(code: &str) -> bool {
    let mut chars = code.chars();
    (1..=32).contains(&code.len())
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn bounded(field: String, raw: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if (min..=max).contains(&n) {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(field.clone(), "invalid_text", format!("{field} has {min} to {max} characters")))
    }
}

impl Questions {
    pub fn as_slice(&self) -> &[Question] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The questions an admin gave, checked: codes unique and of lowercase letters, digits and `_`; labels
    /// of 1 to 50 characters; a number's range in order; 1 to 20 distinct choices. Errors name
    /// `questions[i].<field>`.
    pub fn parse(inputs: Vec<QuestionInput>) -> Result<Self, Invalid> {
        if inputs.len() > MAX_QUESTIONS {
            let detail = format!("an item asks at most {MAX_QUESTIONS} questions");
            return Err(Invalid::new("questions", "too_many", detail));
        }
        let mut out: Vec<Question> = Vec::with_capacity(inputs.len());
        for (i, q) in inputs.into_iter().enumerate() {
            let at = |f: &str| format!("questions[{i}].{f}");
            let code = q.code.trim().to_owned();
            if !code_ok(&code) {
                let detail = "a code is 1 to 32 lowercase letters, digits or _, starting with a letter";
                return Err(Invalid::new(at("code"), "invalid_code", detail));
            }
            if out.iter().any(|o| o.code == code) {
                return Err(Invalid::new(at("code"), "duplicate_code", format!("two questions share the code {code}")));
            }
            let label = bounded(at("label"), &q.label, 1, 50)?;
            let help = bounded(at("help"), q.help.as_deref().unwrap_or(""), 0, 200)?;
            let choices = || -> Result<Vec<String>, Invalid> {
                let mut list: Vec<String> = Vec::new();
                for (k, c) in q.choices.iter().enumerate() {
                    let c = bounded(format!("questions[{i}].choices[{k}]"), c, 1, 30)?;
                    if list.contains(&c) {
                        let detail = format!("the choice {c} is listed twice");
                        return Err(Invalid::new(format!("questions[{i}].choices[{k}]"), "duplicate_choice", detail));
                    }
                    list.push(c);
                }
                if list.is_empty() || list.len() > MAX_CHOICES {
                    let detail = format!("a choice question offers 1 to {MAX_CHOICES} choices");
                    return Err(Invalid::new(at("choices"), "invalid_choices", detail));
                }
                Ok(list)
            };
            let kind = match q.kind.as_str() {
                "text" => {
                    let max_chars = q.max_chars.unwrap_or(200);
                    if !(1..=500).contains(&max_chars) {
                        return Err(Invalid::new(at("max_chars"), "out_of_range", "max_chars is 1 to 500"));
                    }
                    QuestionKind::Text { max_chars }
                }
                "number" => {
                    let (min, max) = (q.min.unwrap_or(0.0), q.max.unwrap_or(1_000_000.0));
                    if !min.is_finite() || !max.is_finite() || min > max {
                        return Err(Invalid::new(at("max"), "out_of_range", "a number's min is at most its max"));
                    }
                    QuestionKind::Number { min, max }
                }
                "single" => QuestionKind::Single { choices: choices()? },
                "multiple" => QuestionKind::Multiple { choices: choices()? },
                "yes_no" => QuestionKind::YesNo,
                "date" => QuestionKind::Date,
                _ => {
                    let detail = "kind is text, number, single, multiple, yes_no or date";
                    return Err(Invalid::new(at("kind"), "invalid_kind", detail));
                }
            };
            out.push(Question { code, label, help, kind, required: q.required });
        }
        Ok(Self(out))
    }

    /// Checks the answers a request gave against the questions, in their order. Each error names
    /// `answers.<code>`: a required question left unanswered, an answer of the wrong kind or out of range, or
    /// an answer to a question the item does not ask.
    pub fn check(&self, raw: &RawAnswers) -> Result<Answers, Invalid> {
        if let Some(unknown) = raw.keys().find(|k| !self.0.iter().any(|q| &q.code == *k)) {
            let detail = format!("this item asks no question {unknown}");
            return Err(Invalid::new(format!("answers.{unknown}"), "unknown_question", detail));
        }
        let mut out = Vec::new();
        for q in &self.0 {
            let field = format!("answers.{}", q.code);
            let given = raw.get(&q.code).filter(|v| !is_blank(v));
            let Some(value) = given else {
                if q.required {
                    return Err(Invalid::new(field, "answer_required", format!("「{}」 must be answered", q.label)));
                }
                continue;
            };
            let value = answer(&q.kind, value).map_err(|why| Invalid::new(field, "invalid_answer", why))?;
            out.push(Answer { code: q.code.clone(), label: q.label.clone(), value });
        }
        Ok(Answers(out))
    }
}

/// No answer at all: absent, null, an empty or blank text, an empty list.
fn is_blank(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.trim().is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn answer(kind: &QuestionKind, v: &serde_json::Value) -> Result<AnswerValue, String> {
    use serde_json::Value as J;
    match (kind, v) {
        (QuestionKind::Text { max_chars }, J::String(s)) => {
            let s = s.trim();
            if s.chars().count() > *max_chars as usize {
                Err(format!("the answer has at most {max_chars} characters"))
            } else {
                Ok(AnswerValue::Text(s.to_owned()))
            }
        }
        (QuestionKind::Number { min, max }, J::Number(n)) => match n.as_f64() {
            Some(x) if (*min..=*max).contains(&x) => Ok(AnswerValue::Number(x)),
            _ => Err(format!("the answer is a number from {min} to {max}")),
        },
        (QuestionKind::Single { choices }, J::String(s)) if choices.contains(s) => Ok(AnswerValue::Single(s.clone())),
        (QuestionKind::Multiple { choices }, J::Array(items)) => {
            let mut picked: Vec<String> = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s) if choices.iter().any(|c| c == s) => {
                        if !picked.iter().any(|p| p == s) {
                            picked.push(s.to_owned());
                        }
                    }
                    _ => return Err(format!("each answer is one of: {}", choices.join(", "))),
                }
            }
            // The choices' own order, whatever order they were ticked in.
            picked.sort_by_key(|p| choices.iter().position(|c| c == p));
            Ok(AnswerValue::Multiple(picked))
        }
        (QuestionKind::Single { choices }, _) => Err(format!("the answer is one of: {}", choices.join(", "))),
        (QuestionKind::YesNo, J::Bool(b)) => Ok(AnswerValue::YesNo(*b)),
        (QuestionKind::Date, J::String(s)) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if (2000..=2100).contains(&d.year()) => Ok(AnswerValue::Date(d)),
            _ => Err("the answer is a date, YYYY-MM-DD, between the years 2000 and 2100".to_owned()),
        },
        (kind, _) => Err(format!("the answer is of the kind {}", kind.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(code: &str, kind: &str) -> QuestionInput {
        QuestionInput { code: code.into(), label: format!("问题 {code}"), kind: kind.into(), ..Default::default() }
    }

    fn meal_questions() -> Questions {
        Questions::parse(vec![
            QuestionInput { required: true, min: Some(1.0), max: Some(5.0), ..input("portions", "number") },
            QuestionInput {
                choices: vec!["普通".into(), "低盐".into(), "软食".into()], ..input("diet", "multiple")
            },
            QuestionInput { choices: vec!["自取".into(), "送餐".into()], ..input("pickup", "single") },
            input("allergy", "yes_no"),
            input("first_day", "date"),
            QuestionInput { max_chars: Some(10), ..input("note", "text") },
        ])
        .unwrap()
    }

    fn answers(raw: serde_json::Value) -> Result<Answers, Invalid> {
        let raw: RawAnswers = serde_json::from_value(raw).unwrap();
        meal_questions().check(&raw)
    }

    fn refused_field(raw: serde_json::Value) -> (String, &'static str) {
        let e = answers(raw).unwrap_err();
        (e.field, e.code)
    }

    #[test]
    fn answers_of_every_kind_are_kept_in_the_questions_order_with_their_labels() {
        let got = answers(json!({
            "note": " 少放辣 ", "first_day": "2026-12-07", "allergy": false, "pickup": "送餐",
            "diet": ["软食", "低盐", "软食"], "portions": 2
        }))
        .unwrap();
        let codes: Vec<_> = got.0.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes, ["portions", "diet", "pickup", "allergy", "first_day", "note"]);
        assert_eq!(got.0[0].label, "问题 portions");
        assert_eq!(got.0[1].value, AnswerValue::Multiple(vec!["低盐".into(), "软食".into()]), "choices' order, once");
        assert_eq!(got.0[5].value, AnswerValue::Text("少放辣".into()));
        assert_eq!(got.0[1].value.text(), "低盐、软食");
    }

    #[test]
    fn a_required_question_left_blank_names_its_answer_and_optional_ones_may_be() {
        assert_eq!(refused_field(json!({})), ("answers.portions".into(), "answer_required"));
        assert_eq!(refused_field(json!({"portions": null})), ("answers.portions".into(), "answer_required"));
        let only_required = answers(json!({"portions": 1, "diet": [], "note": "  "})).unwrap();
        assert_eq!(only_required.0.len(), 1);
    }

    #[test]
    fn an_answer_of_the_wrong_kind_or_out_of_range_is_refused_naming_it() {
        for (raw, field) in [
            (json!({"portions": 6}), "answers.portions"),
            (json!({"portions": "2"}), "answers.portions"),
            (json!({"portions": 1, "diet": ["海鲜"]}), "answers.diet"),
            (json!({"portions": 1, "pickup": "快递"}), "answers.pickup"),
            (json!({"portions": 1, "allergy": "否"}), "answers.allergy"),
            (json!({"portions": 1, "first_day": "2026-13-01"}), "answers.first_day"),
            (json!({"portions": 1, "note": "这段备注超过了十个字的上限"}), "answers.note"),
        ] {
            assert_eq!(refused_field(raw.clone()), (field.into(), "invalid_answer"), "{raw}");
        }
    }

    #[test]
    fn an_answer_to_a_question_the_item_does_not_ask_is_refused() {
        assert_eq!(refused_field(json!({"portions": 1, "floor": 3})), ("answers.floor".into(), "unknown_question"));
    }

    #[test]
    fn an_item_without_questions_takes_no_answers() {
        assert_eq!(Questions::default().check(&RawAnswers::new()), Ok(Answers::default()));
        let raw: RawAnswers = serde_json::from_value(json!({"x": 1})).unwrap();
        assert_eq!(Questions::default().check(&raw).unwrap_err().field, "answers.x");
    }

    #[test]
    fn questions_an_admin_gives_are_checked_naming_the_question_at_fault() {
        let refused = |inputs: Vec<QuestionInput>| Questions::parse(inputs).unwrap_err().field;
        assert_eq!(refused(vec![input("Portions", "number")]), "questions[0].code");
        assert_eq!(refused(vec![input("a", "text"), input("a", "date")]), "questions[1].code");
        assert_eq!(refused(vec![QuestionInput { label: " ".into(), ..input("a", "text") }]), "questions[0].label");
        assert_eq!(refused(vec![input("a", "slider")]), "questions[0].kind");
        assert_eq!(refused(vec![input("a", "single")]), "questions[0].choices");
        let twice = QuestionInput { choices: vec!["是".into(), " 是".into()], ..input("a", "single") };
        assert_eq!(refused(vec![twice]), "questions[0].choices[1]");
        let backwards = QuestionInput { min: Some(5.0), max: Some(1.0), ..input("a", "number") };
        assert_eq!(refused(vec![backwards]), "questions[0].max");
        assert_eq!(refused((0..21).map(|n| input(&format!("q{n}"), "yes_no")).collect()), "questions");
    }

    #[test]
    fn questions_round_trip_through_their_stored_json() {
        let q = meal_questions();
        let stored = serde_json::to_string(&q).unwrap();
        assert_eq!(serde_json::from_str::<Questions>(&stored).unwrap(), q);
        let a = answers(json!({"portions": 2, "first_day": "2026-12-07"})).unwrap();
        assert_eq!(serde_json::from_str::<Answers>(&serde_json::to_string(&a).unwrap()).unwrap(), a);
    }
}
