//! Rolling back a real `SQLite` transaction on every error path:
//! `cargo run --example transaction`.
//!
//! `import_batch` writes a receipt file and inserts a batch of orders in one
//! transaction. One `defer_on_err!` undoes both when the import fails, by an
//! `Err` returned explicitly, by a `?` on a database error, or by a panic:
//! the rows are rolled back and the receipt is deleted. On success it does not
//! run, the transaction commits and the receipt stays.
//!
//! `rusqlite::Transaction::rollback(self)` consumes the transaction, and a
//! deferred block borrows what it uses until the function returns, so the
//! body could not keep inserting through it. Both share `&Connection` instead
//! and issue `BEGIN`, `ROLLBACK` and `COMMIT` themselves.

use epilogue::defer_on_exit;
use rusqlite::Connection;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug)]
enum ImportError {
    Database(rusqlite::Error),
    Io(io::Error),
    Invalid(String),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Database(error) => write!(f, "database: {error}"),
            ImportError::Io(error) => write!(f, "receipt file: {error}"),
            ImportError::Invalid(reason) => write!(f, "invalid order: {reason}"),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<rusqlite::Error> for ImportError {
    fn from(error: rusqlite::Error) -> Self {
        ImportError::Database(error)
    }
}

impl From<io::Error> for ImportError {
    fn from(error: io::Error) -> Self {
        ImportError::Io(error)
    }
}

struct Order {
    sku: &'static str,
    quantity: i64,
}

const SCHEMA: &str = "CREATE TABLE orders (
    batch    TEXT NOT NULL,
    sku      TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0)
)";

/// Imports a batch: all its orders and its receipt, or nothing.
#[defer_on_exit]
fn import_batch(
    db: &Connection,
    receipts: &Path,
    batch: &str,
    orders: &[Order],
) -> Result<usize, ImportError> {
    let receipt = receipts.join(format!("{batch}.receipt"));
    fs::write(&receipt, format!("batch {batch}: {} orders\n", orders.len()))?;
    db.execute_batch("BEGIN")?;
    println!("    BEGIN; wrote {}", receipt.display());
    defer_on_err! {
        // A failed ROLLBACK would leave the connection mid-transaction: say so.
        match db.execute_batch("ROLLBACK") {
            Ok(()) => println!("    defer_on_err: ROLLBACK"),
            Err(error) => println!("    defer_on_err: ROLLBACK failed: {error}"),
        }
        fs::remove_file(&receipt).ok();
        println!("    defer_on_err: removed {}", receipt.display());
    }

    for order in orders {
        if order.sku.is_empty() {
            // An explicit Err: the attribute sees this return.
            return Err(ImportError::Invalid(format!(
                "an order of {} has no SKU",
                order.quantity
            )));
        }
        // A CHECK violation comes back from SQLite as an Err, and `?` returns it.
        db.execute(
            "INSERT INTO orders (batch, sku, quantity) VALUES (?1, ?2, ?3)",
            (batch, order.sku, order.quantity),
        )?;
        println!("    inserted {} x {}", order.quantity, order.sku);
    }

    db.execute_batch("COMMIT")?;
    println!("    COMMIT");
    Ok(orders.len())
}

fn count_rows(db: &Connection) -> rusqlite::Result<i64> {
    db.query_row("SELECT COUNT(*) FROM orders", [], |row| row.get(0))
}

/// What each run returned and left behind, for the tests.
struct Summary {
    results: Vec<Result<usize, String>>,
    rows_after_each: Vec<i64>,
    receipts_left: Vec<String>,
}

fn unique_temp_dir() -> io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "epilogue-transaction-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[defer_on_exit]
fn run() -> Result<Summary, ImportError> {
    let dir = unique_temp_dir()?;
    defer! { fs::remove_dir_all(&dir).ok(); }
    let db = Connection::open(dir.join("shop.db"))?;
    db.execute_batch(SCHEMA)?;
    println!("database: {}", dir.join("shop.db").display());

    let batches: [(&str, &str, Vec<Order>); 3] = [
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
             and defer_on_err! rolls back the two rows already inserted.",
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
            "3. An order fails validation: an explicit `return Err(..)`, the same rollback.",
            vec![
                Order {
                    sku: "tea",
                    quantity: 5,
                },
                Order { sku: "", quantity: 1 },
            ],
        ),
    ];

    let mut summary = Summary {
        results: Vec::new(),
        rows_after_each: Vec::new(),
        receipts_left: Vec::new(),
    };
    for (batch, explanation, orders) in &batches {
        println!("\n{explanation}");
        let result = import_batch(&db, &dir, batch, orders);
        let rows = count_rows(&db)?;
        match &result {
            Ok(count) => println!("  => Ok({count}); the table now holds {rows} rows"),
            Err(error) => println!("  => Err({error}); the table still holds {rows} rows"),
        }
        summary.results.push(result.map_err(|error| error.to_string()));
        summary.rows_after_each.push(rows);
    }

    for entry in fs::read_dir(&dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".receipt") {
            summary.receipts_left.push(name);
        }
    }
    println!("\nreceipts left: {:?}", summary.receipts_left);
    let skus: Vec<String> = db
        .prepare("SELECT batch || ': ' || quantity || ' x ' || sku FROM orders")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    println!("rows in the table: {skus:?}");
    Ok(summary)
}

fn main() -> Result<(), ImportError> {
    println!("transaction: defer_on_err! rolls back a SQLite transaction on failure\n");
    run()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn failed_batches_leave_no_trace() {
        let summary = super::run().unwrap();
        assert_eq!(summary.results[0], Ok(2));
        assert!(summary.results[1]
            .as_ref()
            .unwrap_err()
            .contains("CHECK constraint failed"));
        assert!(summary.results[2].as_ref().unwrap_err().contains("no SKU"));
        // The two rows of monday, and nothing of tuesday's or wednesday's.
        assert_eq!(summary.rows_after_each, [2, 2, 2]);
        assert_eq!(summary.receipts_left, ["monday.receipt"]);
    }
}
