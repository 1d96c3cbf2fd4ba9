//! HTTP handlers behind `#[recover]` on a real axum server:
//! `cargo run --example http_handler`.
//!
//! The server listens on a free loopback port; a minimal client writes raw
//! HTTP/1.1 requests to it over a `TcpStream`. A handler that panics answers
//! `500 Internal Server Error` instead of dropping the connection, epilogue
//! logs the panic (an ERROR event under target `epilogue`, with the handler's
//! path and the panic's location), and the server keeps serving.
//!
//! `#[recover]` alone decides what a panic becomes from the return type;
//! axum's `Response` is not epilogue's to implement `FromPanic` for, so the
//! handlers name the conversion: `#[recover(with = internal_error)]`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use epilogue::{recover, Panic};
use std::io::{self, IsTerminal};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a panic in a handler becomes. The details stay in the server's log
/// (epilogue's ERROR event); the client learns only that it failed.
fn internal_error(_panic: Panic) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "internal server error\n").into_response()
}

#[recover(with = internal_error)]
async fn ok() -> Response {
    "hello from epilogue\n".into_response()
}

#[recover(with = internal_error)]
async fn boom() -> Response {
    tokio::time::sleep(Duration::from_millis(1)).await; // a database call, say
    let templates: &[&str] = &[];
    let page = templates.first().expect("template `invoice.html` is missing");
    (*page).into_response()
}

/// An extractor works as usual: the attribute keeps the handler's signature.
#[recover(with = internal_error)]
async fn share(Path((total, people)): Path<(u32, u32)>) -> Response {
    format!("{total} split {people} ways is {} each\n", total / people).into_response()
}

/// The same bug as `boom`, without the boundary: the panic unwinds into the
/// connection's task, which dies, and the client gets no response at all.
async fn unprotected() -> Response {
    let templates: &[&str] = &[];
    let page = templates.first().expect("template `invoice.html` is missing");
    (*page).into_response()
}

fn app() -> Router {
    Router::new()
        .route("/ok", get(ok))
        .route("/boom", get(boom))
        .route("/share/{total}/{people}", get(share))
        .route("/unprotected", get(unprotected))
}

/// A response as the client saw it: the status (`None` if the connection was
/// closed without one) and the body.
#[derive(Debug)]
struct Answer {
    status: Option<u16>,
    body: String,
}

/// A minimal HTTP/1.1 client: one `GET`, then read until the server closes.
async fn get_path(addr: SocketAddr, path: &str) -> io::Result<Answer> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw).await {
        Ok(_) => {}
        // A server task that died may reset the connection instead of closing it.
        Err(error) if error.kind() == io::ErrorKind::ConnectionReset => raw.clear(),
        Err(error) => return Err(error),
    }
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok());
    Ok(Answer {
        status,
        body: body.to_owned(),
    })
}

async fn run() -> io::Result<Vec<(&'static str, Answer)>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app())
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
    });
    println!("listening on http://{addr}\n");

    let mut answers = Vec::new();
    for path in [
        "/ok",
        "/boom",
        "/share/90/3",
        "/share/90/0",
        "/unprotected",
        "/ok",
    ] {
        let answer = get_path(addr, path).await?;
        match answer.status {
            Some(status) => println!("GET {path:<14} -> {status} {:?}", answer.body),
            None => println!("GET {path:<14} -> connection closed without a response"),
        }
        answers.push((path, answer));
    }

    stop.send(()).ok();
    server.await.expect("the server task panicked")?;
    Ok(answers)
}

#[tokio::main]
async fn main() -> io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(io::stdout().is_terminal())
        .without_time()
        .init();
    // A one-line panic hook for the panic nothing catches (`/unprotected`);
    // epilogue keeps it, and does not call it for the panics it recovers.
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("(not a string)");
        let location = info.location().map(ToString::to_string).unwrap_or_default();
        println!("[panic hook] uncaught panic at {location}: {message}");
    }));
    println!("http_handler: a panicking handler answers 500, and the server keeps serving");
    println!("(ERROR lines: epilogue's events for the panics #[recover] caught)\n");
    let answers = run().await?;
    let served = answers.iter().filter(|(_, answer)| answer.status.is_some());
    println!(
        "\n{} of {} requests got a response.",
        served.count(),
        answers.len()
    );
    println!("/unprotected has no #[recover]: its panic killed the connection's task");
    println!("(tokio caught it there), so the client got no status line at all.");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn panics_become_500_and_the_server_keeps_serving() {
        let answers = super::run().await.unwrap();
        let statuses: Vec<_> = answers.iter().map(|(_, answer)| answer.status).collect();
        assert_eq!(
            statuses,
            [Some(200), Some(500), Some(200), Some(500), None, Some(200)]
        );
        assert_eq!(answers[1].1.body, "internal server error\n");
        assert_eq!(answers[2].1.body, "90 split 3 ways is 30 each\n");
    }
}
