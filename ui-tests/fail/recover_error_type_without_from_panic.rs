use epilogue::recover;

#[derive(Debug)]
enum AppError {
    NotFound,
}

#[recover]
fn load() -> Result<u32, AppError> {
    Err(AppError::NotFound)
}

fn main() {
    let _ = load();
}
