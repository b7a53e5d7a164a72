use cloudtrial_protocol::StaffRole;
use cloudtrial_protocol::api::Hearing;
use reqwest::StatusCode;

use crate::harness::*;

#[tokio::test]
async fn hearings_outbox_and_live_tokens_survive_a_restart() {
    let mut server = TestServer::start().await;
    let clerk = server.staff(StaffRole::Clerk, "clerk").await;
    let hearing = server.book(&clerk.token, "（2026）津0101民初9号", &[JUDGE, PLAINTIFF, DEFENDANT]).await;
    let party = server.login(&clerk.token, &hearing, PLAINTIFF.2).await;
    let outbox_before = server.outbox(&clerk.token, "").await;

    server.restart().await;

    let (status, body) = server.get(&format!("/api/hearings/{}", hearing.id), Some(&clerk.token)).await;
    assert_eq!(status, StatusCode::OK, "staff token survived: {body}");
    let after: Hearing = serde_json::from_value(body).unwrap();
    assert_eq!(after.meeting_number, hearing.meeting_number);
    assert_eq!(after.participants, hearing.participants);
    let outbox_after = server.outbox(&clerk.token, "").await;
    assert_eq!(
        outbox_after.iter().map(|m| (&m.mobile, &m.text)).collect::<Vec<_>>(),
        outbox_before.iter().map(|m| (&m.mobile, &m.text)).collect::<Vec<_>>()
    );
    let (status, body) = server.get(&format!("/api/hearings/{}/details", hearing.id), Some(&party.token)).await;
    assert_eq!(status, StatusCode::OK, "participant token survived: {body}");
    assert_eq!(body["me"]["name"], PLAINTIFF.1);

    // A code requested before the restart is still good after it.
    server.request_code(&hearing.meeting_number.to_string(), DEFENDANT.2).await;
    let code = server.latest_code(&clerk.token, DEFENDANT.2).await.unwrap();
    server.restart().await;
    let (status, _) = server.verify(&hearing.meeting_number.to_string(), DEFENDANT.2, &code).await;
    assert_eq!(status, StatusCode::OK);
}
