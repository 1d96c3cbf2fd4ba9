//! Rolling back an async `SQLite` transaction with an async cleanup:
//! `cargo run --example async_transaction`.
//!
//! `tokio-rusqlite` runs a `rusqlite` connection on a thread of its own and
//! hands out an async handle: every statement is a `call(…).await`. A
//! transaction is then a `BEGIN`, statements and `COMMIT` spread over several
//! awaits, and undoing it on failure means awaiting a `ROLLBACK` too:
//!
//! ```ignore
//! db.call(|conn| conn.execute_batch("BEGIN")).await?;
//! defer_on_err!(async {
//!     let _ = db.call(|conn| conn.execute_batch("ROLLBACK")).await;
//! });
//! ```
//!
//! `import_batch` prices and inserts a batch of orders in one transaction. The
//! async `defer_on_err!` is awaited whenever it returns an `Err`: by a `?` on
//! a database error, or by an explicit `return Err(…)`. On success it does not
//! run, and the transaction commits. After each batch the example counts the
//! rows and asks the connection whether a transaction is still open.
//!
//! An async cleanup is awaited on every way out that still has someone to
//! await it, and a panic or a cancellation has none. Cancel `import_batch`
//! halfway (under a `tokio::time::timeout`, say) and its `ROLLBACK` is never
//! awaited: the transaction stays open on the connection's thread, and the
//! next `BEGIN` fails. A synchronous `defer_on_err!` does run on those exits,
//! as the `async_writer` example shows, but it cannot await the rollback: do
//! not cancel a function like this one halfway.

use epilogue::defer_on_exit;
use rusqlite::OptionalExtension;
use std::fmt;
use tokio_rusqlite::Connection;

#[derive(Debug)]
enum ImportError {
    Database(rusqlite::Error),
    ConnectionClosed,
    Unpriced(&'static str),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Database(error) => write!(f, "database: {error}"),
            ImportError::ConnectionClosed => write!(f, "the database connection is closed"),
            ImportError::Unpriced(sku) => write!(f, "no price for {sku:?}"),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<rusqlite::Error> for ImportError {
    fn from(error: rusqlite::Error) -> Self {
        ImportError::Database(error)
    }
}

impl From<tokio_rusqlite::Error> for ImportError {
    fn from(error: tokio_rusqlite::Error) -> Self {
        match error {
            tokio_rusqlite::Error::Error(error) => ImportError::Database(error),
            _ => ImportError::ConnectionClosed,
        }
    }
}

struct Order {
    sku: &'static str,
    quantity: i64,
}

const SCHEMA: &str = "
    CREATE TABLE prices (sku TEXT PRIMARY KEY, cents INTEGER NOT NULL);
    INSERT INTO prices VALUES ('tea', 450), ('mug', 800), ('pot', 2500);
    CREATE TABLE orders (
        batch    TEXT NOT NULL,
        sku      TEXT NOT NULL,
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        cents    INTEGER NOT NULL
    );";

/// Imports a batch: all its orders, or none.
#[defer_on_exit]
async fn import_batch(db: &Connection, batch: &str, orders: &[Order]) -> Result<usize, ImportError> {
    db.call(|conn| conn.execute_batch("BEGIN")).await?;
    println!("    BEGIN");
    // Awaited when the function returns an Err, by any path.
    defer_on_err!(async {
        match db.call(|conn| conn.execute_batch("ROLLBACK")).await {
            Ok(()) => println!("    defer_on_err (async): ROLLBACK"),
            Err(error) => println!("    defer_on_err (async): ROLLBACK failed: {error}"),
        }
    });

    for order in orders {
        let sku = order.sku;
        let price: Option<i64> = db
            .call(move |conn| {
                conn.query_row("SELECT cents FROM prices WHERE sku = ?1", [sku], |row| row.get(0))
                    .optional()
            })
            .await?;
        let Some(cents) = price else {
            // An explicit Err: the attribute sees this return.
            return Err(ImportError::Unpriced(sku));
        };
        // A CHECK violation comes back from SQLite as an Err, and `?` returns it.
        let (batch, quantity) = (batch.to_owned(), order.quantity);
        db.call(move |conn| {
            conn.execute(
                "INSERT INTO orders (batch, sku, quantity, cents) VALUES (?1, ?2, ?3, ?4)",
                (batch, sku, quantity, cents * quantity),
            )
        })
        .await?;
        println!("    inserted {quantity} x {sku}");
    }

    db.call(|conn| conn.execute_batch("COMMIT")).await?;
    println!("    COMMIT");
    Ok(orders.len())
}

/// The rows of the table, and whether the connection is inside a transaction.
async fn table_state(db: &Connection) -> Result<(Vec<String>, bool), ImportError> {
    let state = db
        .call(|conn| {
            let rows = conn
                .prepare("SELECT batch || ': ' || quantity || ' x ' || sku FROM orders ORDER BY rowid")?
                .query_map([], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok::<_, rusqlite::Error>((rows, !conn.is_autocommit()))
        })
        .await?;
    Ok(state)
}

/// What each import returned and left behind, for the test.
#[cfg_attr(not(test), allow(dead_code))]
struct Summary {
    results: Vec<Result<usize, String>>,
    rows_after_each: Vec<usize>,
    open_transaction_after_each: Vec<bool>,
    final_rows: Vec<String>,
}

async fn run() -> Result<Summary, ImportError> {
    let db = Connection::open_in_memory().await?;
    db.call(|conn| conn.execute_batch(SCHEMA)).await?;
    println!("database: SQLite in memory, on tokio-rusqlite's connection thread");

    let batches = [
        (
            "monday",
            "1. A valid batch: no failure, so defer_on_err! does not run and COMMIT stays.",
            vec![
                Order {
                    sku: "tea",
                    quantity: 3,
                },
                Order {
                    sku: "mug",
                    quantity: 1,
                },
            ],
        ),
        (
            "tuesday",
            "2. SQLite rejects the third order (CHECK quantity > 0): `?` returns the Err,\n   \
             and the async defer_on_err! awaits a ROLLBACK of the two rows already inserted.",
            vec![
                Order {
                    sku: "tea",
                    quantity: 2,
                },
                Order {
                    sku: "pot",
                    quantity: 1,
                },
                Order {
                    sku: "mug",
                    quantity: 0,
                },
            ],
        ),
        (
            "wednesday",
            "3. An order has no price: an explicit `return Err(..)`, the same rollback.",
            vec![
                Order {
                    sku: "tea",
                    quantity: 5,
                },
                Order {
                    sku: "kettle",
                    quantity: 1,
                },
            ],
        ),
    ];

    let mut summary = Summary {
        results: Vec::new(),
        rows_after_each: Vec::new(),
        open_transaction_after_each: Vec::new(),
        final_rows: Vec::new(),
    };
    for (batch, explanation, orders) in &batches {
        println!("\n{explanation}");
        let result = import_batch(&db, batch, orders).await;
        let (rows, in_transaction) = table_state(&db).await?;
        match &result {
            Ok(count) => println!("  => Ok({count}); the table now holds {} rows", rows.len()),
            Err(error) => println!("  => Err({error}); the table still holds {} rows", rows.len()),
        }
        println!("  a transaction is still open: {in_transaction}");
        summary.results.push(result.map_err(|error| error.to_string()));
        summary.rows_after_each.push(rows.len());
        summary.open_transaction_after_each.push(in_transaction);
        summary.final_rows = rows;
    }
    println!("\nrows in the table: {:?}", summary.final_rows);
    Ok(summary)
}

#[tokio::main]
async fn main() -> Result<(), ImportError> {
    println!("async_transaction: an async defer_on_err! rolls back a SQLite transaction\n");
    run().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn failed_batches_are_rolled_back() {
        let summary = super::run().await.unwrap();
        assert_eq!(summary.results[0], Ok(2));
        assert!(summary.results[1]
            .as_ref()
            .unwrap_err()
            .contains("CHECK constraint failed"));
        assert_eq!(summary.results[2], Err("no price for \"kettle\"".to_owned()));
        // The two rows of monday, and nothing of tuesday's or wednesday's.
        assert_eq!(summary.rows_after_each, [2, 2, 2]);
        assert_eq!(summary.final_rows, ["monday: 3 x tea", "monday: 1 x mug"]);
        // Every ROLLBACK ran: no transaction was left open.
        assert_eq!(summary.open_transaction_after_each, [false, false, false]);
    }
}
