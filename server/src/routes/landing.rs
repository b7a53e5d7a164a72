//! `/ots/download/{meeting number}`: the page the SMS links to. It explains how
//! to join from each kind of device. It renders for any well-formed number,
//! so it tells a visitor nothing about which hearings exist.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cloudtrial_protocol::MeetingNumber;

use crate::error::{ApiPath, AppError};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/ots/download/{meeting_number}", get(page))
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

async fn page(State(state): State<AppState>, ApiPath(number): ApiPath<String>) -> Result<Response, AppError> {
    let number: MeetingNumber = number.parse().map_err(|_| AppError::not_found())?;
    let config = &state.config;
    let base = config.public_url.trim_end_matches('/');
    let html = format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{court} · 云审 · 下载庭审客户端</title>
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
<section id="android">
<h2>安卓手机</h2>
<p>下载并安装“天津云审”客户端，打开后使用会议号登录，登录后直接进入视频庭审页面。</p>
<p><a class="button" href="{apk}">下载安卓客户端</a></p>
</section>
<section id="iphone">
<h2>苹果手机</h2>
<p>在 App Store 上搜索“{ios}”下载，安装后使用会议号登录。</p>
</section>
<section id="pc">
<h2>电脑（浏览器）</h2>
<p>无需安装客户端。请使用带摄像头和麦克风的电脑，用 Chrome、Edge、Firefox 或 Safari 浏览器打开：</p>
<p><a class="button" href="{base}/?meeting={number}">进入网上庭审</a></p>
</section>
<section>
<h2>注意事项</h2>
<p>网上庭审过程中请保持网络畅通；庭审开始前请提前测试声音、图像等各项功能；请保持周围环境安静。</p>
</section>
</main>
</body>
</html>
"#,
        court = html_escape(&config.court_name),
        number = number,
        apk = html_escape(&config.apk_url()),
        ios = html_escape(&config.ios_app_name),
        base = html_escape(base),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        html,
    )
        .into_response())
}
