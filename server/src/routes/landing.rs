//! `/ots/download/{meeting number}`: the page the SMS links to. It explains how
//! to join from each kind of device. It renders for any well-formed number,
//! so it tells a visitor nothing about which hearings exist.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cloudtrial_protocol::MeetingNumber;

use cloudtrial_protocol::paths;
use crate::error::{ApiPath, AppError};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::LANDING, get(page))
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

/// Whether the visitor is on a phone or tablet, from the browser's own words.
fn is_phone(headers: &HeaderMap) -> bool {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    ["Android", "iPhone", "iPad", "iPod", "Mobile", "HarmonyOS"].iter().any(|word| agent.contains(word))
}

async fn page(State(state): State<AppState>, headers: HeaderMap, ApiPath(number): ApiPath<String>) -> Result<Response, AppError> {
    let number: MeetingNumber = number.parse().map_err(|_| AppError::not_found())?;
    let config = &state.config;
    let base = html_escape(config.public_url.trim_end_matches('/'));
    let court = html_escape(&config.court_name);
    let phone = is_phone(&headers);
    // Only what this court has configured: no link that leads nowhere.
    let android = config.android_apk_url.as_deref().map(|url| {
        format!(
            r#"<section id="android">
<h2>安卓手机客户端</h2>
<p>下载并安装客户端，打开后使用会议号登录，登录后直接进入视频庭审页面。</p>
<p><a class="button" href="{}">下载安卓客户端</a></p>
</section>
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
<p>网上庭审过程中请保持网络畅通；庭审开始前请提前测试声音、图像等各项功能；请保持周围环境安静。</p>
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
