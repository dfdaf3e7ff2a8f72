//! A small SMTP server on the loopback for the tests: it speaks enough of
//! RFC 5321 for a real client (lettre, in the server under test) over a real
//! socket, keeps what arrives, and can refuse the next messages with a 451,
//! as a busy mail server does.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body, as sent (dot-unstuffed).
    pub data: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let mut lines = head.split("\r\n").peekable();
        while let Some(line) = lines.next() {
            if line.to_ascii_lowercase().starts_with(&prefix) {
                let mut value = line[prefix.len()..].trim().to_string();
                while lines.peek().is_some_and(|l| l.starts_with(' ') || l.starts_with('\t')) {
                    value.push(' ');
                    value.push_str(lines.next().unwrap_or("").trim());
                }
                return Some(value);
            }
        }
        None
    }

    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The decoded body of the part of `content_type` ("text/plain", "text/html").
    pub fn part(&self, content_type: &str) -> Option<String> {
        for part in self.data.split("\r\n--") {
            let Some((head, body)) = part.split_once("\r\n\r\n") else { continue };
            let head_lower = head.to_ascii_lowercase();
            if !head_lower.contains(&format!("content-type: {content_type}")) {
                continue;
            }
            let body = body.split("\r\n--").next().unwrap_or(body);
            return Some(if head_lower.contains("content-transfer-encoding: quoted-printable") {
                quoted_printable(body)
            } else if head_lower.contains("content-transfer-encoding: base64") {
                let joined: String = body.split_whitespace().collect();
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(joined).unwrap_or_default())
                    .unwrap_or_default()
            } else {
                body.to_string()
            });
        }
        None
    }

    pub fn text(&self) -> String {
        self.part("text/plain").unwrap_or_default()
    }

    /// The first link in the plain-text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let text = self.text();
        let start = text.find(prefix)?;
        Some(text[start..].split_whitespace().next()?.to_string())
    }
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    /// Messages to refuse (451) before accepting again.
    refuse_next: u32,
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    inbox: Arc<Mutex<Inbox>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let port = listener.local_addr().expect("its address").port();
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let serving = inbox.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, serving.clone()));
            }
        });
        Self { port, inbox }
    }

    /// `PORTCULLIS_SMTP_URL` for a server that sends here.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn refuse_next(&self, messages: u32) {
        self.inbox.lock().unwrap().refuse_next = messages;
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().received.clone()
    }

    /// Waits (at most 15 s, the worker runs every 2 s) until `count` messages to `to` have arrived.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<Received> {
        for _ in 0..150 {
            let mail = self.to(to);
            if mail.len() >= count {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{count} messages to {to} did not arrive; got {:?}",
            self.received().iter().map(|m| (m.to.clone(), m.subject())).collect::<Vec<_>>()
        );
    }

    /// Waits for the next message to `to` whose subject contains `subject`.
    pub async fn wait_for_subject(&self, to: &str, subject: &str) -> Received {
        for _ in 0..150 {
            if let Some(mail) = self.to(to).into_iter().rev().find(|m| m.subject().contains(subject)) {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no message \"{subject}\" to {to}; got {:?}",
            self.received().iter().map(|m| (m.to.clone(), m.subject())).collect::<Vec<_>>()
        );
    }

    pub fn to(&self, to: &str) -> Vec<Received> {
        self.received().into_iter().filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to))).collect()
    }
}

fn address(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg.find('>').unwrap_or(arg.len());
    arg[start..end].to_string()
}

async fn session(socket: tokio::net::TcpStream, inbox: Arc<Mutex<Inbox>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let reply = |text: &str| format!("{text}\r\n");
    if write.write_all(reply("220 sink.test ESMTP ready").as_bytes()).await.is_err() {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    // Bounded: a test's client sends a handful of messages per connection.
    for _ in 0..10_000 {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_string();
        let verb = command.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8".to_string(),
            "HELO" => "250 sink.test".to_string(),
            "MAIL" => {
                from = address(&command);
                to.clear();
                "250 OK".to_string()
            }
            "RCPT" => {
                to.push(address(&command));
                "250 OK".to_string()
            }
            "DATA" => {
                if write.write_all(reply("354 end with <CRLF>.<CRLF>").as_bytes()).await.is_err() {
                    return;
                }
                let mut data = String::new();
                for _ in 0..100_000 {
                    let mut line = String::new();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-unstuffing: a line the client began with an extra dot.
                    data.push_str(if line.starts_with("..") { &line[1..] } else { &line });
                }
                let mut inbox = inbox.lock().unwrap();
                if inbox.refuse_next > 0 {
                    inbox.refuse_next -= 1;
                    "451 4.3.0 try again later".to_string()
                } else {
                    inbox.received.push(Received { from: from.clone(), to: to.clone(), data });
                    "250 queued".to_string()
                }
            }
            "QUIT" => {
                let _ = write.write_all(reply("221 bye").as_bytes()).await;
                return;
            }
            _ => "250 OK".to_string(),
        };
        if write.write_all(reply(&answer).as_bytes()).await.is_err() {
            return;
        }
    }
}
