use std::time::Duration;

use super::{DeliveryFuture, SmsGateway};

/// A real SMS provider reached over HTTP: each message is POSTed as JSON built
/// from a template in which `{mobile}` and `{text}` are replaced by the
/// JSON-escaped values (quotes included).
pub struct HttpGateway {
    client: reqwest::Client,
    url: String,
    bearer_token: Option<String>,
    template: String,
}

pub const DEFAULT_TEMPLATE: &str = r#"{"mobile": {mobile}, "content": {text}}"#;

impl HttpGateway {
    pub fn new(url: String, bearer_token: Option<String>, template: Option<String>) -> Result<Self, String> {
        let template = template.unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned());
        // The template must yield valid JSON for any values.
        serde_json::from_str::<serde_json::Value>(&render(&template, "13800000000", "测试\"\n"))
            .map_err(|e| format!("SMS template is not JSON once filled in: {e}"))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { client, url, bearer_token, template })
    }
}

fn render(template: &str, mobile: &str, text: &str) -> String {
    let json = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    template.replace("{mobile}", &json(mobile)).replace("{text}", &json(text))
}

impl SmsGateway for HttpGateway {
    fn name(&self) -> &'static str {
        "http"
    }

    fn deliver<'a>(&'a self, mobile: &'a str, text: &'a str) -> DeliveryFuture<'a> {
        Box::pin(async move {
            let mut request = self
                .client
                .post(&self.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(render(&self.template, mobile, text));
            if let Some(token) = &self.bearer_token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.map_err(|e| format!("provider unreachable: {e}"))?;
            let status = response.status();
            if status.is_success() {
                Ok(())
            } else {
                let body = response.text().await.unwrap_or_default();
                Err(format!("provider answered {status}: {}", body.chars().take(200).collect::<String>()))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn template_values_are_json_escaped() {
        let out = super::render(super::DEFAULT_TEMPLATE, "13800000000", "a\"b");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["content"], "a\"b");
        assert_eq!(v["mobile"], "13800000000");
    }

    #[test]
    fn a_template_that_is_not_json_is_refused() {
        assert!(super::HttpGateway::new("http://127.0.0.1:1".into(), None, Some("mobile={mobile}".into())).is_err());
    }
}
