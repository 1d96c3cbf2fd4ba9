//! What the `tracing` feature logs for a failing transaction:
//! `cargo run --example tracing_demo`.
//!
//! A transfer between two accounts panics halfway through. `defer_on_err!`
//! rolls the `SQLite` transaction back, `defer!` then writes the audit record
//! (outside the rolled-back transaction, so it stays), and `#[recover]` turns
//! the panic into an `Err`. epilogue emits a TRACE event for each deferred
//! action (`function`, `kind`, `exit`, `elapsed_ns`) and an ERROR event for
//! the recovered panic, its message the panic's; all under target `epilogue`.

use epilogue::{defer_on_exit, recover};
use rusqlite::Connection;
use tracing::info;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Converts an amount: the exchange rates are not all there.
fn convert(amount: i64, from: &str, to: &str) -> i64 {
    let rates = [("EUR", "EUR", 100), ("EUR", "USD", 108)];
    let (.., rate) = rates
        .iter()
        .find(|(a, b, _)| (*a, *b) == (from, to))
        .unwrap_or_else(|| panic!("no exchange rate for {from} to {to}"));
    amount * rate / 100
}

#[recover]
#[defer_on_exit]
fn transfer(db: &Connection, from: &str, to: &str, amount: i64) -> Result<(), Error> {
    db.execute_batch("BEGIN")?;
    defer! {
        let entry = format!("{from} -> {to}: {amount}");
        db.execute("INSERT INTO audit (entry) VALUES (?1)", [entry]).ok();
        info!("audit record written");
    }
    defer_on_err! {
        db.execute_batch("ROLLBACK").ok();
        info!("ROLLBACK");
    }
    db.execute(
        "UPDATE accounts SET balance = balance - ?1 WHERE name = ?2",
        (amount, from),
    )?;
    info!("debited {amount} EUR from {from}");
    let credit = convert(amount, "EUR", "CHF");
    db.execute(
        "UPDATE accounts SET balance = balance + ?1 WHERE name = ?2",
        (credit, to),
    )?;
    db.execute_batch("COMMIT")?;
    Ok(())
}

/// What the failing transfer returned and left in the database (logged by
/// `run`, checked by the tests).
#[cfg_attr(not(test), allow(dead_code))]
struct Outcome {
    result: Result<(), Error>,
    balances: Vec<(String, i64)>,
    audit_records: i64,
}

/// Runs the failing transfer.
fn run() -> Result<Outcome, rusqlite::Error> {
    let db = Connection::open_in_memory()?;
    db.execute_batch(
        "CREATE TABLE accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL);
         CREATE TABLE audit (entry TEXT NOT NULL);
         INSERT INTO accounts VALUES ('alice', 100), ('bob', 50);",
    )?;
    info!("transfer of 30 EUR from alice to bob (in CHF)");
    let result = transfer(&db, "alice", "bob", 30);
    if let Err(error) = &result {
        info!("transfer failed: {error}");
    }
    let balances = db
        .prepare("SELECT name, balance FROM accounts ORDER BY name")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<Vec<(String, i64)>, _>>()?;
    let audit_records = db.query_row("SELECT COUNT(*) FROM audit", [], |row| row.get(0))?;
    info!("balances afterwards: {balances:?}, audit records: {audit_records}");
    Ok(Outcome {
        result,
        balances,
        audit_records,
    })
}

fn main() -> Result<(), rusqlite::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "tracing_demo=info,epilogue=trace",
        ))
        .without_time()
        .with_ansi(false)
        .init();
    // The failure is the demonstration: `run` logged it.
    run()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_panicking_transfer_is_rolled_back_and_audited() {
        let outcome = super::run().unwrap();
        let error = outcome.result.unwrap_err().to_string();
        assert!(error.contains("no exchange rate for EUR to CHF"), "{error}");
        assert_eq!(
            outcome.balances,
            [("alice".to_owned(), 100), ("bob".to_owned(), 50)]
        );
        assert_eq!(outcome.audit_records, 1);
    }
}
