//! A small static file server for `dist/`: what `cargo xtask serve` shows and what the
//! end-to-end tests load. It serves files only from inside the folder, with the MIME types
//! browsers insist on (`application/wasm` for streaming compilation).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::thread::JoinHandle;

/// A running server.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    thread: JoinHandle<()>,
}

impl Server {
    /// The address to open, e.g. `http://127.0.0.1:8080/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Blocks for as long as the server runs.
    pub fn wait(self) {
        let _ = self.thread.join();
    }
}

/// Serves `root` on 127.0.0.1:`port` (0 picks a free port) in background threads.
pub fn start(root: &Path, port: u16) -> Result<Server, String> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e} (is another server using it? try --port)"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let root = root.to_path_buf();
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = respond(stream, &root);
            });
        }
    });
    Ok(Server { addr, thread })
}

fn respond(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; nothing in them matters here.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return write_response(&mut stream, "405 Method Not Allowed", "text/plain", b"GET only\n", true);
    }
    match resolve(root, target) {
        Some(path) => match std::fs::read(&path) {
            Ok(body) => write_response(&mut stream, "200 OK", mime(&path), &body, method == "GET"),
            Err(_) => write_response(&mut stream, "404 Not Found", "text/plain", b"not found\n", true),
        },
        None => write_response(&mut stream, "404 Not Found", "text/plain", b"not found\n", true),
    }
}

/// The file a request target names inside `root`; the fragment and query are ignored, a folder
/// means its `index.html`, and nothing outside `root` is ever reached.
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut resolved = root.to_path_buf();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => resolved.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if resolved.is_dir() {
        resolved.push("index.html");
    }
    resolved.is_file().then_some(resolved)
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn write_response(
    stream: &mut TcpStream,
    status: &str,
    mime: &str,
    body: &[u8],
    with_body: bool,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if with_body {
        stream.write_all(body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_resolve_inside_the_root_only() {
        let root = crate::cmd::workspace_root();
        let cases: &[(&str, Option<&str>)] = &[
            ("/", Some("index.html")),
            ("/index.html", Some("index.html")),
            ("/index.html?backend=cpu#x", Some("index.html")),
            ("/Trunk.toml", Some("Trunk.toml")),
            ("/../etc/passwd", None),
            ("/crates/../Cargo.toml", None),
            ("/no-such-file", None),
        ];
        for &(target, expected) in cases {
            assert_eq!(resolve(&root, target), expected.map(|p| root.join(p)), "{target}");
        }
    }
}
