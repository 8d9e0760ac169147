//! A small rules engine: the host's orders go in as Rust structs (serde), a script written
//! by someone else decides what to do with each, using a host class (the customer's credit,
//! kept in Rust) and a host callback (the exchange rate, asked of the host as the script
//! runs), and the decisions come back as Rust values. Each tenant's rules run in a scope of
//! their own, under a time limit.
//!
//! `cargo run --ignore-rust-version --example embed_rules_engine`

use brine::{ClassBuilder, Error, ExceptionKind, HostClass, Runtime, Scope};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// An order as the host's own code has it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Order {
    pub id: u32,
    pub customer: String,
    pub amount: f64,
    pub currency: String,
    pub items: Vec<String>,
}

/// What the rules decided for an order.
#[derive(Deserialize, Debug, PartialEq)]
pub enum Decision {
    Accept,
    Review { reason: String },
    Reject(String),
}

/// A customer's credit line, kept by the host; scripts see it as `engine.Credit`.
#[derive(Debug)]
pub struct Credit {
    pub limit: f64,
    pub used: f64,
}

impl HostClass for Credit {
    const NAME: &'static str = "Credit";

    fn define(class: &mut ClassBuilder<Self>) {
        class
            .doc("A customer's credit line: what is left, and holding part of it.")
            .getter("available", |this: &Credit| this.limit - this.used)
            .method(
                "hold",
                |this: &mut Credit, amount: f64| -> Result<f64, Error> {
                    if amount > this.limit - this.used {
                        return Err(Error::raise(
                            ExceptionKind::ValueError,
                            "over the credit limit",
                        ));
                    }
                    this.used += amount;
                    Ok(this.limit - this.used)
                },
            )
            .method("__repr__", |this: &Credit| {
                format!("Credit(limit={}, used={})", this.limit, this.used)
            });
    }
}

/// Rules as a tenant writes them: `decide(order, credit)` returns a decision.
pub const RULES: &str = "\
import engine

def decide(order, credit):
    usd = engine.to_usd(order['amount'], currency=order['currency'])
    if 'fireworks' in order['items']:
        return {'Reject': 'restricted item'}
    if usd > 1000:
        return {'Review': {'reason': f'large order: {usd:.2f} USD'}}
    try:
        credit.hold(usd)
    except ValueError as e:
        return {'Review': {'reason': str(e)}}
    return 'Accept'
";

/// The runtime the engine runs rules in: the `engine` module with the credit class and the
/// rate callback, which asks the host's own table.
pub fn engine(rates: Vec<(String, f64)>) -> Result<Runtime, Error> {
    Runtime::builder()
        .isolated()
        .time_limit(Duration::from_secs(2))
        .module("engine", move |m| {
            m.class::<Credit>();
            m.function(
                "to_usd",
                move |amount: f64, currency: Option<String>, kw: brine::Kwargs| {
                    let currency: String = kw
                        .get("currency")?
                        .or(currency)
                        .unwrap_or_else(|| "USD".into());
                    rates
                        .iter()
                        .find(|(code, _)| *code == currency)
                        .map(|(_, rate)| amount * rate)
                        .ok_or_else(|| Error::raise(ExceptionKind::KeyError, currency))
                },
            );
        })
        .build()
}

/// Loads a tenant's rules into a scope of their own.
pub fn load_rules(rt: &Runtime, rules: &str) -> Result<Scope, Error> {
    let scope = rt.scope_named("rules")?;
    scope.run(rules)?;
    Ok(scope)
}

/// Decides each order against the customer's credit, which the holds use up.
pub fn decide_all(
    rt: &Runtime,
    rules: &Scope,
    orders: &[Order],
    credit: Credit,
) -> Result<(Vec<Decision>, Credit), Error> {
    let credit = rt.host_object(credit)?;
    let decide: brine::Object = rules.get("decide")?.expect("the rules define decide");
    let mut decisions = Vec::new();
    for order in orders {
        let decision: brine::Object = decide.call((rt.serialize(order)?, credit.clone()))?;
        decisions.push(decision.deserialize()?);
    }
    let left = Credit {
        limit: credit.borrow::<Credit>()?.limit,
        used: credit.borrow::<Credit>()?.used,
    };
    Ok((decisions, left))
}

fn order(id: u32, amount: f64, currency: &str, items: &[&str]) -> Order {
    Order {
        id,
        customer: "acme".into(),
        amount,
        currency: currency.into(),
        items: items.iter().map(|s| s.to_string()).collect(),
    }
}

/// The orders the example decides.
pub fn sample_orders() -> Vec<Order> {
    vec![
        order(1, 120.0, "EUR", &["tea"]),
        order(2, 2000.0, "USD", &["piano"]),
        order(3, 10.0, "USD", &["fireworks"]),
        order(4, 300.0, "GBP", &["chairs"]),
    ]
}

fn main() -> Result<(), Error> {
    let rates = vec![
        ("USD".into(), 1.0),
        ("EUR".into(), 1.1),
        ("GBP".into(), 1.25),
    ];
    let rt = engine(rates)?;
    let rules = load_rules(&rt, RULES)?;
    let credit = Credit {
        limit: 400.0,
        used: 0.0,
    };
    let (decisions, left) = decide_all(&rt, &rules, &sample_orders(), credit)?;
    for (order, decision) in sample_orders().iter().zip(&decisions) {
        println!("order {}: {decision:?}", order.id);
    }
    println!("credit left: {:.2}", left.limit - left.used);
    Ok(())
}
