use epilogue::defer_on_exit;

trait Store {
    #[defer_on_exit]
    fn save(&self) -> Result<(), String>;
}

fn main() {}
