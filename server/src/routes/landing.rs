//! `/ots/download/{meeting number}`: the page the SMS links to. It explains how
//! to join from each kind of device. It renders for any well-formed number,
//! so it tells a visitor nothing about which hearings exist.
//!
//! With the court's Android app configured, `/.well-known/assetlinks.json`
//! lets Android verify that the app may open these links itself (Android App
//! Links): a party who has installed it taps the SMS link and lands in the
//! app's 会议号登录 with the number filled in; without it, this page offers
//! the APK. With the iPhone app's ids configured,
//! `/.well-known/apple-app-site-association` does the same for iOS (Universal
//! Links): the link opens the installed app at 会议号登录.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cloudtrial_protocol::MeetingNumber;
use cloudtrial_protocol::api::DeviceKind;

use cloudtrial_protocol::paths;
use crate::error::{ApiPath, AppError};
use crate::state::AppState;

/// Where Android looks for the sites' statement about apps (fixed by Android, not part of our protocol).
pub const ASSET_LINKS: &str = "/.well-known/assetlinks.json";
/// Where iOS looks for the site's statement about apps (fixed by Apple; no `.json`).
pub const APPLE_APP_SITE_ASSOCIATION: &str = "/.well-known/apple-app-site-association";

pub fn router() -> Router<AppState> {
    Router::new().route(paths::LANDING, get(page)).route(ASSET_LINKS, get(asset_links))
        .route(APPLE_APP_SITE_ASSOCIATION, get(apple_app_site_association))
}

/// The Digital Asset Links statement for the court's Android app; 404 when none is configured.
async fn asset_links(State(state): State<AppState>) -> Result<Response, AppError> {
    let app = state.config.android_app.as_ref().filter(|a| !a.cert_sha256.is_empty()).ok_or_else(AppError::not_found)?;
    let statement = serde_json::json!([{
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {
            "namespace": "android_app",
            "package_name": app.package,
            "sha256_cert_fingerprints": app.cert_sha256,
        }
    }]);
    Ok(([(header::CONTENT_TYPE, "application/json")], statement.to_string()).into_response())
}

/// The apple-app-site-association file for the court's iPhone app: its ids may open
/// the landing links (`/ots/download/*`) themselves; 404 when none is configured.
async fn apple_app_site_association(State(state): State<AppState>) -> Result<Response, AppError> {
    let ids = &state.config.ios_app_ids;
    if ids.is_empty() {
        return Err(AppError::not_found());
    }
    let association = serde_json::json!({
        "applinks": {
            "details": [{
                "appIDs": ids,
                "components": [{ "/": "/ots/download/*", "comment": "庭审通知短信中的链接" }]
            }]
        }
    });
    Ok(([(header::CONTENT_TYPE, "application/json")], association.to_string()).into_response())
}

/// Everything but RFC 3986's unreserved characters percent-encoded (for a URL inside an intent URL).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A link that opens this page's meeting number in the installed app (Chrome's
/// `intent:` form), falling back to the APK when the app is not installed.
fn open_app_link(public_url: &str, package: &str, number: &MeetingNumber, fallback: Option<&str>) -> String {
    let (scheme, rest) = public_url.split_once("://").unwrap_or(("https", public_url));
    let mut link = format!("intent://{rest}/ots/download/{number}#Intent;scheme={scheme};package={package};");
    if let Some(fallback) = fallback {
        link.push_str(&format!("S.browser_fallback_url={};", percent_encode(fallback)));
    }
    link.push_str("end");
    link
}

fn is_android(headers: &HeaderMap) -> bool {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).is_some_and(|agent| agent.contains("Android"))
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The manual's 注意事项 (1.1), in its words.
const NOTICES: [&str; 4] = [
    "需准备带摄像头和麦克的台式机或者笔记本，摄像头像素清晰，麦克能够正常使用；建议最好准备耳机。",
    "网上庭审过程中请保持网络畅通。",
    "庭审开始前请提前测试声音、图像等各项功能，保证开庭过程中能够正常使用。",
    "请保持周围环境安静。",
];

/// Whether the visitor is on a phone or tablet, from the browser's own words.
fn is_phone(headers: &HeaderMap) -> bool {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    DeviceKind::of_browser(agent) == DeviceKind::PhoneBrowser
}

async fn page(State(state): State<AppState>, headers: HeaderMap, ApiPath(number): ApiPath<String>) -> Result<Response, AppError> {
    let number: MeetingNumber = number.parse().map_err(|_| AppError::not_found())?;
    let config = &state.config;
    let base = html_escape(config.public_url.trim_end_matches('/'));
    let court = html_escape(&config.court_name);
    let phone = is_phone(&headers);
    // Only what this court has configured: no link that leads nowhere.
    // On an Android phone with the app configured: open it with this number
    // (when installed; Chrome falls back to the APK otherwise).
    let open_app = match (&config.android_app, is_android(&headers)) {
        (Some(app), true) => format!(
            r#"<p><a class="button" id="open-app" href="{}">已安装客户端？打开客户端</a></p>
"#,
            html_escape(&open_app_link(
                config.public_url.trim_end_matches('/'),
                &app.package,
                &number,
                config.android_apk_url.as_deref()
            ))
        ),
        _ => String::new(),
    };
    let android = config.android_apk_url.as_deref().map(|url| {
        format!(
            r#"<section id="android">
<h2>安卓手机客户端</h2>
<p>下载并安装客户端，打开后使用会议号登录，登录后直接进入视频庭审页面。</p>
<p><a class="button" href="{}">下载安卓客户端</a></p>
{open_app}</section>
"#,
            html_escape(url)
        )
    });
    let iphone = config.ios_app_name.as_deref().map(|name| {
        format!(
            r#"<section id="iphone">
<h2>苹果手机客户端</h2>
<p>在 App Store 上搜索“{}”下载，安装后使用会议号登录。</p>
</section>
"#,
            html_escape(name)
        )
    });
    let browser = if phone {
        format!(
            r#"<section id="phone-browser">
<h2>手机浏览器</h2>
<p>无需安装客户端：用手机浏览器打开网上庭审，使用会议号登录后直接进入庭审。请允许浏览器使用摄像头和麦克风。</p>
<p><a class="button" href="{base}/?meeting={number}">用手机浏览器进入网上庭审</a></p>
</section>
"#
        )
    } else {
        format!(
            r#"<section id="pc">
<h2>电脑（浏览器）</h2>
<p>无需安装客户端。请使用带摄像头和麦克风的电脑，用 Chrome、Edge、Firefox 或 Safari 浏览器打开：</p>
<p><a class="button" href="{base}/?meeting={number}">进入网上庭审</a></p>
</section>
"#
        )
    };
    // The browser first: it needs nothing installed, on a PC or a phone.
    let ways = [Some(browser), android, iphone].into_iter().flatten().collect::<String>();
    // The first, about the computer, is left out on a phone.
    let notices = NOTICES[usize::from(phone)..].iter().map(|notice| format!("<li>{notice}</li>\n")).collect::<String>();
    let title = if phone { "手机参加庭审" } else { "参加庭审" };
    let html = format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{court} · 云审 · {title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f3f5f8; color: #1d2733; }}
main {{ max-width: 640px; margin: 0 auto; padding: 24px 16px; }}
h1 {{ font-size: 22px; margin: 0 0 8px; }}
.number {{ font-size: 34px; letter-spacing: 4px; font-weight: bold; color: #b3261e; margin: 8px 0 20px; }}
section {{ background: #fff; border-radius: 8px; padding: 16px; margin-bottom: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
h2 {{ font-size: 17px; margin: 0 0 8px; }}
a.button {{ display: inline-block; background: #1f5fbf; color: #fff; padding: 8px 16px; border-radius: 6px; text-decoration: none; }}
</style>
</head>
<body>
<main>
<h1>{court} · 云审 互联网庭审</h1>
<p>您的会议号为：</p>
<div class="number" id="meeting-number">{number}</div>
{ways}<section>
<h2>注意事项</h2>
<ol id="notices">
{notices}</ol>
</section>
</main>
</body>
</html>
"#
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::VARY, "User-Agent"),
        ],
        html,
    )
        .into_response())
}
