//! One wire format for every error: server functions, the CSV route and the
//! middleware answer with an `AppError` as JSON, its `message`, and its status.

mod common;

use app::error::AppError;
use common::{Backend, TestServer};
use reqwest::StatusCode;

async fn decoded(res: reqwest::Response) -> (StatusCode, AppError, String) {
    let status = res.status();
    assert_eq!(res.headers()["content-type"], "application/json", "{status}");
    let body: serde_json::Value = res.json().await.expect("a JSON body");
    let message = body["message"].as_str().expect("a message for people").to_string();
    let err: AppError = serde_json::from_value(body).expect("an AppError");
    assert_eq!(err.status(), status.as_u16(), "the status the error names");
    (status, err, message)
}

#[tokio::test]
async fn every_error_has_one_shape() {
    let server = TestServer::start(Backend::Sqlite).await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);

    let (_, err, _) = decoded(http.get(url("/orgs/acme/members.csv")).send().await.unwrap()).await;
    assert_eq!(err, AppError::Unauthenticated, "the CSV route");

    let cross_site = http.post(url("/api/my_orgs")).header("sec-fetch-site", "cross-site").send().await.unwrap();
    let (status, _, message) = decoded(cross_site).await;
    assert_eq!((status, message.as_str()), (StatusCode::FORBIDDEN, "Cross-site requests are not allowed."));

    let text = http
        .post(url("/api/log_in"))
        .header("content-type", "text/plain")
        .body("email=a&password=b")
        .send()
        .await
        .unwrap();
    let (status, err, _) = decoded(text).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(matches!(err, AppError::UnsupportedMediaType { .. }), "{err:?}");

    let missing = http.post(url("/api/log_in")).form(&[("email", "a@example.com")]).send().await.unwrap();
    let (status, err, _) = decoded(missing).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(matches!(err, AppError::BadRequest { .. }), "{err:?}");
}
