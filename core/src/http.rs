//! The server's REST API, spoken with reqwest over rustls.

use std::time::Duration;

use cloudtrial_protocol::ErrorBody;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base_url: String,
}

impl ApiClient {
    pub fn new(base_url: &str) -> Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("cloudtrial-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::Network)?;
        let base_url = base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::InvalidInput(format!("服务器地址须以 http:// 或 https:// 开头：{base_url}")));
        }
        Ok(Self { http, base_url })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base_url));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str, token: Option<&str>) -> Result<T> {
        Self::send(self.request(Method::GET, path, token)).await
    }

    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T> {
        Self::send(self.request(Method::POST, path, token).json(body)).await
    }

    /// Downloads a file the API serves: its bytes and the response's headers.
    pub async fn download(&self, path: &str, token: &str) -> Result<(reqwest::header::HeaderMap, bytes::Bytes)> {
        let response = self.request(Method::GET, path, Some(token)).send().await.map_err(Error::Network)?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(Error::Network)?;
        if !status.is_success() {
            return Err(api_error(status, &bytes));
        }
        Ok((headers, bytes))
    }

    /// Sends a request and decodes a JSON answer, or the server's error body.
    pub async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T> {
        let response = request.send().await.map_err(Error::Network)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(Error::Network)?;
        if status.is_success() {
            let bytes = if status == StatusCode::NO_CONTENT || bytes.is_empty() { &b"null"[..] } else { &bytes[..] };
            return serde_json::from_slice(bytes).map_err(|e| Error::UnexpectedResponse(e.to_string()));
        }
        Err(api_error(status, &bytes))
    }
}

pub fn api_error(status: StatusCode, body: &[u8]) -> Error {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(body) => Error::Api { status: status.as_u16(), code: body.code, message: body.message },
        Err(_) => Error::UnexpectedResponse(format!("HTTP {status}")),
    }
}
