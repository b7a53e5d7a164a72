use std::time::Duration;

use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::HearingDetails;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;

fn wrong_code(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn a_party_logs_in_with_the_meeting_number_and_the_sms_code() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "（2026）津0101民初1号", &[JUDGE, CLERK, PLAINTIFF, DEFENDANT]).await;
    let number = hearing.meeting_number.to_string();

    let (status, body) = server.request_code(&number, "+86 138 0000 0001").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["resend_after_secs"].as_u64(), body["expires_in_secs"].as_u64()), (Some(60), Some(300)));
    assert!(body["challenge"].as_str().is_some_and(|c| c.len() >= 43), "a challenge of at least 256 bits: {body}");
    let sms = server.outbox(&clerk.token, &format!("?mobile={}", PLAINTIFF.2)).await;
    assert!(sms[0].text.starts_with("【天津法院】[云审]您的会议登录验证码为："), "{}", sms[0].text);
    let code = code_in(&sms[0].text);
    assert_eq!(code.len(), 6);

    let (status, body) = server.verify(&number, PLAINTIFF.2, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "plaintiff");
    assert_eq!(body["hearing_id"], hearing.id);
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 43, "at least 256 bits");

    let (status, body) = server.get(&format!("/api/hearings/{}/details", hearing.id), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details: HearingDetails = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(details.me.name, "张三");
    assert_eq!(details.case_number, "（2026）津0101民初1号");
    assert_eq!(details.participants.len(), 4);
    assert!(body["participants"][0].get("mobile").is_none(), "parties do not see each other's numbers");

    // The code was good for one login only.
    let (status, body) = server.verify(&number, PLAINTIFF.2, &code).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("login_failed")));

    // The database keeps only a hash of the token.
    let hash = cloudtrial_server::secrets::token_hash(&token);
    let plain = token.clone();
    let (hashed, in_clear): (i64, i64) = server
        .state()
        .store
        .call(move |c| {
            let hashed = c.query_row("SELECT count(*) FROM sessions WHERE token_hash = ?1", [&hash], |r| r.get(0))?;
            let in_clear = c.query_row(
                "SELECT count(*) FROM sessions WHERE instr(CAST(token_hash AS TEXT), ?1) > 0",
                [&plain],
                |r| r.get(0),
            )?;
            Ok::<_, cloudtrial_server::store::StoreError>((hashed, in_clear))
        })
        .await
        .unwrap();
    assert_eq!((hashed, in_clear), (1, 0));
}

#[tokio::test]
async fn five_wrong_codes_burn_the_code_but_never_lock_the_party_out() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
    let number = hearing.meeting_number.to_string();
    server.request_code(&number, PLAINTIFF.2).await;
    let code = server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap();

    // Someone else guesses five times.
    for attempt in 1..=4 {
        let (status, body) = server.verify(&number, PLAINTIFF.2, &wrong_code(&code)).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("login_failed")), "attempt {attempt}");
    }
    let (status, body) = server.verify(&number, PLAINTIFF.2, &wrong_code(&code)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("login_locked")));
    assert_eq!(body["message"], "验证码错误次数过多，该验证码已失效，请于60秒后重新获取验证码", "a lockout says how long");
    // That code is burned: even the right one no longer works.
    let (_, body) = server.verify(&number, PLAINTIFF.2, &code).await;
    assert_eq!(body["code"], "login_locked");
    // But the party is not kept out: a new code, a minute later, logs them in.
    server.clock.advance(Duration::from_secs(61));
    let session = server.login(&clerk.token, &hearing, PLAINTIFF.2).await;
    assert_eq!(session.hearing_id, hearing.id);
}

/// Someone who knows a party's meeting number and mobile (the other side
/// does) cannot keep the party out: each code asked for is its own, named by
/// the challenge only its asker holds, so guesses burn only the guesser's
/// codes and a new code replaces nobody's. Codes are counted per network,
/// six an hour each and twice that in all, until the clerk sends the notice again.
#[tokio::test]
async fn a_guesser_burns_only_the_codes_it_asked_for_and_cannot_use_up_a_partys_codes() {
    let server = TestServer::start_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
    let number = hearing.meeting_number.to_string();
    let plaintiff_id = hearing.participants.iter().find(|p| p.name == PLAINTIFF.1).unwrap().id;
    let from = |network: &'static str, path: &'static str, body: Value| {
        let request = server.http.post(server.url(path)).header("x-forwarded-for", network).json(&body);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let ask = |network: &'static str| from(network, "/api/login/code", json!({"meeting_number": number, "mobile": PLAINTIFF.2}));
    let verify = |network: &'static str, challenge: &Value, code: &str| {
        from(network, "/api/login/verify", json!({"meeting_number": number, "mobile": PLAINTIFF.2, "code": code, "challenge": challenge}))
    };
    let (guesser, party, third) = ("203.0.113.7", "198.51.100.20", "2001:db8:1:2::9");

    // The party asks for a code; the guesser then asks for its own and guesses it away.
    let (status, for_party) = ask(party).await;
    assert_eq!(status, StatusCode::OK);
    let party_code = server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap();
    let mut codes = 0;
    loop {
        let (status, body) = ask(guesser).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(body["message"].as_str().unwrap().contains("获取验证码次数过多"), "{body}");
            assert!(body["message"].as_str().unwrap().contains("分钟后再试"), "says how long: {body}");
            break;
        }
        assert_eq!(status, StatusCode::OK, "{body}");
        codes += 1;
        let sent = server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap();
        // Its guesses, even the party's code and the code its own request sent, with the wrong challenge or none.
        for guess in 0..5 {
            let (status, answer) = verify(guesser, &body["challenge"], &wrong_code(&sent)).await;
            let expected = if guess < 4 { "login_failed" } else { "login_locked" };
            assert_eq!((status, answer["code"].as_str()), (StatusCode::UNAUTHORIZED, Some(expected)));
        }
        let (_, answer) = verify(guesser, &body["challenge"], &sent).await;
        assert_eq!(answer["code"], "login_locked", "a burned code stays burned");
        let (_, answer) = verify(guesser, &json!("made-up"), &party_code).await;
        assert_eq!(answer["code"], "login_failed");
        if codes == 2 {
            // Two of the guesser's codes later, the party's own code still logs the party in.
            let (status, session) = verify(party, &for_party["challenge"], &party_code).await;
            assert_eq!(status, StatusCode::OK, "{session}");
            assert_eq!(session["role"], "plaintiff");
        }
        server.clock.advance(Duration::from_secs(61));
    }
    assert_eq!(codes, 6, "six codes an hour from one network");

    // The party's network still has its own allowance, and its code works.
    let (status, body) = ask(party).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap();
    assert_eq!(verify(party, &body["challenge"], &code).await.0, StatusCode::OK);
    // All networks together get twelve codes not used to log in: the guesser's six and a third network's six.
    let mut third_codes = 0;
    while ask(third).await.0 == StatusCode::OK {
        third_codes += 1;
        server.clock.advance(Duration::from_secs(61));
    }
    assert_eq!(third_codes, 6);
    assert_eq!(ask("192.0.2.44").await.0, StatusCode::TOO_MANY_REQUESTS, "twelve codes an hour for the pair in all");
    assert_eq!(ask(party).await.0, StatusCode::TOO_MANY_REQUESTS);

    // The clerk sends the notice again: the party can log in at once.
    let (status, _) =
        server.post(&format!("/api/hearings/{}/participants/{plaintiff_id}/notice", hearing.id), Some(&clerk.token), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = ask(party).await;
    assert_eq!(status, StatusCode::OK);
    let code = server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap();
    assert_eq!(verify(party, &body["challenge"], &code).await.0, StatusCode::OK);

    // Without the clerk, a network's window ends by itself after an hour. (A code used to log in does not count.)
    server.clock.advance(Duration::from_secs(61));
    let mut codes = 0;
    while ask(party).await.0 == StatusCode::OK {
        codes += 1;
        server.clock.advance(Duration::from_secs(61));
    }
    assert_eq!(codes, 6);
    server.clock.advance(Duration::from_secs(3600));
    assert_eq!(ask(party).await.0, StatusCode::OK);
}

#[tokio::test]
async fn staff_cannot_read_login_codes_unless_the_server_runs_a_trial() {
    let server = TestServer::start_with(|c| c.trial_show_login_codes = false).await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
    let (status, _) = server.request_code(&hearing.meeting_number.to_string(), PLAINTIFF.2).await;
    assert_eq!(status, StatusCode::OK);
    let outbox = server.outbox(&clerk.token, &format!("?mobile={}", PLAINTIFF.2)).await;
    let login = outbox.iter().find(|m| m.kind == cloudtrial_protocol::api::SmsKind::LoginCode).expect("the SMS is listed");
    assert!(login.text.contains("验证码为：******，"), "{}", login.text);
    assert!(!login.text.chars().any(|c| c.is_ascii_digit() && c != '5'), "no digit of the code: {}", login.text);
    // Nor is it anywhere in the database.
    let texts: Vec<String> = server
        .state()
        .store
        .call(|c| {
            let mut stmt = c.prepare("SELECT text FROM sms_messages")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok::<_, cloudtrial_server::store::StoreError>(rows)
        })
        .await
        .unwrap();
    assert!(texts.iter().all(|t| !t.contains("验证码为：") || t.contains("******")), "{texts:?}");
}

#[tokio::test]
async fn staff_passwords_lock_per_username_and_an_administrator_sees_and_clears_the_lock() {
    let server = TestServer::start().await;
    server.staff(StaffRole::Judge, "wang").await;
    let admin = server.staff(StaffRole::Admin, "admin").await;
    let server = &server;
    let login = |username: &str, password: &str| {
        let body = json!({"username": username, "password": password});
        async move { server.post("/api/staff/login", None, &body).await }
    };
    for username in ["wang", "nobody"] {
        for attempt in 1..=4 {
            let (status, body) = login(username, "wrong password").await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("login_failed")), "{username} {attempt}");
        }
    }
    let locked_real = login("wang", "wrong password").await;
    let locked_unknown = login("nobody", "wrong password").await;
    assert_eq!(locked_real.1["code"], "login_locked");
    assert_eq!(locked_real, locked_unknown, "a lock says nothing about whether the account exists");
    assert!(locked_real.1["message"].as_str().unwrap().contains("15分钟"), "{}", locked_real.1);
    let (status, _) = login("wang", "correct horse battery").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "even the right password waits for the lock");

    let (status, locks) = server.get("/api/staff/login-locks", Some(&admin.token)).await;
    assert_eq!(status, StatusCode::OK);
    let wang = locks.as_array().unwrap().iter().find(|l| l["username"] == "wang").expect("the admin sees the lock");
    assert_eq!(wang["failures"], 5);
    assert!(wang["locked_until_ms"].as_i64().is_some());
    let (status, _) = server.request(reqwest::Method::DELETE, "/api/staff/login-locks/wang", Some(&admin.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = login("wang", "correct horse battery").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The other lock ends by itself.
    server.clock.advance(Duration::from_secs(15 * 60 + 1));
    let (_, body) = login("nobody", "wrong password").await;
    assert_eq!(body["code"], "login_failed");
}

/// Wrong passwords sent all at once are counted like wrong passwords sent one
/// by one: only the allowance is checked, the burst locks the username, and
/// the right password is refused afterwards.
#[tokio::test]
async fn a_burst_of_guesses_at_once_is_counted_before_any_is_checked() {
    let server = TestServer::start().await;
    server.staff(StaffRole::Judge, "wang").await;
    let admin = server.staff(StaffRole::Admin, "admin").await;
    let login = |password: &str| {
        let request = server.http.post(server.url("/api/staff/login")).json(&json!({"username": "wang", "password": password}));
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<serde_json::Value>().await.unwrap())
        }
    };
    let answers = futures_util::future::join_all((0..24).map(|_| login("wrong password"))).await;
    assert!(answers.iter().all(|(s, _)| *s == StatusCode::UNAUTHORIZED), "{answers:?}");
    let checked = answers.iter().filter(|(_, body)| body["code"] == "login_failed").count();
    assert_eq!(checked, 4, "four wrong passwords are told so; the fifth and all after are locked: {answers:?}");
    let (_, locks) = server.get("/api/staff/login-locks", Some(&admin.token)).await;
    let wang = locks.as_array().unwrap().iter().find(|l| l["username"] == "wang").expect("the burst locked the username");
    assert_eq!(wang["failures"], 5, "only the allowance was checked: {wang}");
    let (status, body) = login("correct horse battery").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("login_locked")));
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_a_trusted_proxy() {
    let limited = |trusted: bool| {
        move |c: &mut cloudtrial_server::Config| {
            c.limits.login_requests_per_minute = 2;
            if trusted {
                c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
            }
        }
    };
    let staff_login_from = |server: &TestServer, client: &'static str| {
        let request = server
            .http
            .post(server.url("/api/staff/login"))
            .header("x-forwarded-for", client)
            .json(&json!({"username": "a", "password": "b"}));
        async move { request.send().await.unwrap().status() }
    };
    // Behind a trusted proxy, each client has its own allowance.
    let server = TestServer::start_with(limited(true)).await;
    for _ in 0..2 {
        assert_eq!(staff_login_from(&server, "203.0.113.1").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(staff_login_from(&server, "203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(staff_login_from(&server, "203.0.113.2").await, StatusCode::UNAUTHORIZED, "another client behind the proxy");
    // Without one, a client cannot escape its limit by claiming other addresses.
    let server = TestServer::start_with(limited(false)).await;
    assert_eq!(staff_login_from(&server, "203.0.113.1").await, StatusCode::UNAUTHORIZED);
    assert_eq!(staff_login_from(&server, "203.0.113.2").await, StatusCode::UNAUTHORIZED);
    assert_eq!(staff_login_from(&server, "203.0.113.3").await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
    let number = hearing.meeting_number.to_string();
    server.request_code(&number, PLAINTIFF.2).await;
    let code = server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap();

    server.clock.advance(Duration::from_secs(5 * 60 + 1));
    let (status, body) = server.verify(&number, PLAINTIFF.2, &code).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("login_failed")));
}

#[tokio::test]
async fn codes_cannot_be_requested_more_than_once_a_minute() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
    let number = hearing.meeting_number.to_string();
    server.request_code(&number, PLAINTIFF.2).await;
    let first = server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap();

    server.clock.advance(Duration::from_secs(30));
    let (status, body) = server.request_code(&number, PLAINTIFF.2).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["message"], "请在30秒后重新获取验证码");
    assert_eq!(server.outbox(&clerk.token, &format!("?mobile={}", PLAINTIFF.2)).await.len(), 2, "notice + one code");

    server.clock.advance(Duration::from_secs(31));
    let (status, _) = server.request_code(&number, PLAINTIFF.2).await;
    assert_eq!(status, StatusCode::OK);
    let second = server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap();
    if first != second {
        let (_, body) = server.verify(&number, PLAINTIFF.2, &first).await;
        assert_eq!(body["code"], "login_failed", "a new code replaces the old one");
    }
    let (status, _) = server.verify(&number, PLAINTIFF.2, &second).await;
    assert_eq!(status, StatusCode::OK);
}

/// A guesser learns nothing: unknown meeting numbers and unknown mobile numbers
/// get byte-for-byte the answers a real participant with a wrong code gets.
#[tokio::test]
async fn unknown_meetings_and_phones_answer_exactly_like_a_wrong_code() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF]).await;
    let real = hearing.meeting_number.to_string();
    let unknown_meeting = if real == "87654321" { "87654322" } else { "87654321" };

    async fn raw(server: &TestServer, path: &str, body: Value) -> (StatusCode, String) {
        let response = server.http.post(server.url(path)).json(&body).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    let pairs = [(real.as_str(), PLAINTIFF.2), (unknown_meeting, PLAINTIFF.2), (real.as_str(), "13611112222")];
    // Every pair asks for a code once before, so all three are in the same state.
    for (number, mobile) in pairs {
        raw(&server, "/api/login/code", json!({"meeting_number": number, "mobile": mobile})).await;
    }
    let wrong = wrong_code(&server.latest_code(&clerk.token, PLAINTIFF.2).await.unwrap());
    server.clock.advance(Duration::from_secs(61));

    let mut code_answers = Vec::new();
    let mut verify_answers = Vec::new();
    let mut lock_answers = Vec::new();
    for (number, mobile) in pairs {
        let (status, sent) = raw(&server, "/api/login/code", json!({"meeting_number": number, "mobile": mobile})).await;
        let sent: Value = serde_json::from_str(&sent).unwrap();
        // Every answer carries a challenge of its own; the rest is the same.
        code_answers.push((status, sent["resend_after_secs"].clone(), sent["expires_in_secs"].clone(), sent["challenge"].as_str().map(str::len)));
        let verify = json!({"meeting_number": number, "mobile": mobile, "code": wrong, "challenge": sent["challenge"]});
        verify_answers.push(raw(&server, "/api/login/verify", verify.clone()).await);
        // Five wrong guesses burn the code.
        for _ in 0..3 {
            raw(&server, "/api/login/verify", verify.clone()).await;
        }
        lock_answers.push(raw(&server, "/api/login/verify", verify).await);
    }
    assert!(code_answers.iter().all(|a| *a == code_answers[0]), "{code_answers:?}");
    assert_eq!(code_answers[0].0, StatusCode::OK);
    assert!(verify_answers.iter().all(|a| *a == verify_answers[0]), "{verify_answers:?}");
    assert_eq!(verify_answers[0].0, StatusCode::UNAUTHORIZED);
    assert!(lock_answers.iter().all(|a| *a == lock_answers[0]), "{lock_answers:?}");
    assert!(lock_answers[0].1.contains("login_locked"));

    // Throttling is the same too.
    let mut again = Vec::new();
    for (number, mobile) in [(real.as_str(), JUDGE.2), (unknown_meeting, JUDGE.2)] {
        raw(&server, "/api/login/code", json!({"meeting_number": number, "mobile": mobile})).await;
        again.push(raw(&server, "/api/login/code", json!({"meeting_number": number, "mobile": mobile})).await);
    }
    assert_eq!(again[0], again[1]);
    assert_eq!(again[0].0, StatusCode::TOO_MANY_REQUESTS);

    // Only real participants were ever sent codes.
    let codes: Vec<_> = server
        .outbox(&clerk.token, "")
        .await
        .into_iter()
        .filter(|m| m.kind == cloudtrial_protocol::api::SmsKind::LoginCode)
        .collect();
    let mut mobiles: Vec<_> = codes.iter().map(|c| c.mobile.as_str()).collect();
    mobiles.sort();
    assert_eq!(mobiles, [PLAINTIFF.2, PLAINTIFF.2, JUDGE.2]);
}

#[tokio::test]
async fn a_token_for_one_hearing_is_refused_for_another() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let a = server.book(&clerk.token, "案A", &[JUDGE, PLAINTIFF]).await;
    let b = server.book(&clerk.token, "案B", &[JUDGE, PLAINTIFF]).await;
    let session_a = server.login(&clerk.token, &a, PLAINTIFF.2).await;

    let (status, _) = server.get(&format!("/api/hearings/{}/details", a.id), Some(&session_a.token)).await;
    assert_eq!(status, StatusCode::OK);
    let on_b = server.get(&format!("/api/hearings/{}/details", b.id), Some(&session_a.token)).await;
    let on_missing = server.get("/api/hearings/424242/details", Some(&session_a.token)).await;
    assert_eq!(on_b.0, StatusCode::FORBIDDEN);
    assert_eq!(on_b, on_missing, "another hearing looks like no hearing");
}

#[tokio::test]
async fn forged_expired_and_logged_out_tokens_are_refused() {
    let server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "案1", &[JUDGE, PLAINTIFF, DEFENDANT]).await;
    let path = format!("/api/hearings/{}/details", hearing.id);

    for forged in ["", "Bearer", "x", &"A".repeat(43), &"z".repeat(5000)] {
        let (status, body) = server.get(&path, Some(forged)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{forged:?}");
        assert_eq!(body["code"], "unauthorized");
    }
    let (status, _) = server.get(&path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let session = server.login(&clerk.token, &hearing, PLAINTIFF.2).await;
    let (status, _) = server.post("/api/session/logout", Some(&session.token), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, body) = server.get(&path, Some(&session.token)).await;
    assert_eq!(body["code"], "session_expired");

    let session = server.login(&clerk.token, &hearing, DEFENDANT.2).await;
    server.clock.advance(Duration::from_secs(7 * 24 * 3600 + 1));
    let (status, body) = server.get(&path, Some(&session.token)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("session_expired")));
}

#[tokio::test]
async fn login_requests_are_rate_limited_per_client_address() {
    let server = TestServer::start_with(|c| c.limits.login_requests_per_minute = 5).await;
    for i in 0..5 {
        let (status, _) = server.verify("12345678", "13800000001", "000000").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "request {i}");
    }
    let (status, body) = server.verify("12345678", "13800000001", "000000").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    let (status, _) = server.post("/api/staff/login", None, &json!({"username": "a", "password": "b"})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    server.clock.advance(Duration::from_secs(61));
    let (status, _) = server.verify("12345678", "13800000001", "000000").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn staff_login_failures_look_alike() {
    let server = TestServer::start().await;
    server.staff(StaffRole::Judge, "wang").await;
    let wrong_password = server.post("/api/staff/login", None, &json!({"username": "wang", "password": "nope"})).await;
    let unknown_user = server.post("/api/staff/login", None, &json!({"username": "nobody", "password": "nope"})).await;
    assert_eq!(wrong_password.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password, unknown_user);
    assert_eq!(wrong_password.1["message"], "用户名或密码不正确");
}

#[tokio::test]
async fn a_judge_enters_the_hearing_from_the_console() {
    let server = TestServer::start().await;
    let judge = server.staff(StaffRole::Judge, "wang").await;
    let other_judge = server.staff(StaffRole::Judge, "zhao").await;
    let mut booking = server.booking("案1", &[JUDGE, PLAINTIFF]);
    booking["participants"][0]["staff_id"] = json!(judge.account.id);
    let (status, body) = server.post("/api/hearings", Some(&judge.token), &booking).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().unwrap();

    let (status, body) = server.post(&format!("/api/hearings/{id}/enter"), Some(&judge.token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "presiding_judge");
    let (status, details) =
        server.get(&format!("/api/hearings/{id}/details"), Some(body["token"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(details["me"]["name"], "王法官");

    let (status, _) = server.post(&format!("/api/hearings/{id}/enter"), Some(&other_judge.token), &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not this hearing's judge");
}

#[tokio::test]
async fn code_verifications_are_throttled_harder_than_other_login_requests() {
    let server = TestServer::start_with(|c| {
        c.limits.login_requests_per_minute = 30;
        c.limits.login_verifications_per_minute = 6;
    })
    .await;
    for i in 0..6 {
        let (status, _) = server.verify("12345678", "13800000001", "000000").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "verification {i}");
    }
    let (status, body) = server.verify("12345678", "13800000001", "000000").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    // Asking for codes (which tells a guesser nothing) is still allowed from the same address.
    let (status, _) = server.request_code("12345678", "13800000009").await;
    assert_eq!(status, StatusCode::OK);
}
