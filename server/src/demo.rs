//! `--demo`: a court with a judge, a clerk, an administrator and one booked
//! hearing, so the server can be tried at once. Running it again on the same
//! data directory reuses what is there.

use cloudtrial_protocol::api::{BookHearingRequest, Hearing, NewParticipant, NewStaffAccount, StaffAccount};
use cloudtrial_protocol::{CourtDateTime, ParticipantRole, StaffRole};

use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, events::EventActor};

pub const DEMO_PASSWORD: &str = "demo1234";
const CASE_NUMBER: &str = "（2026）津0101民初1号";

pub struct DemoParty {
    pub role: ParticipantRole,
    pub name: &'static str,
    pub mobile: &'static str,
}

pub const PARTIES: [DemoParty; 4] = [
    DemoParty { role: ParticipantRole::PresidingJudge, name: "王法官", mobile: "13900000001" },
    DemoParty { role: ParticipantRole::Clerk, name: "李书记", mobile: "13900000002" },
    DemoParty { role: ParticipantRole::Plaintiff, name: "张三", mobile: "13800000001" },
    DemoParty { role: ParticipantRole::Defendant, name: "李四", mobile: "13800000002" },
];

pub struct Demo {
    pub judge: StaffAccount,
    pub clerk: StaffAccount,
    pub admin: StaffAccount,
    pub hearing: Hearing,
}

async fn account(state: &AppState, username: &str, name: &str, role: StaffRole, mobile: &str) -> Result<StaffAccount, AppError> {
    let existing = {
        let username = username.to_owned();
        state.store.call(move |conn| store::staff::credentials(conn, &username).map_err(AppError::from)).await?
    };
    if let Some((account, _)) = existing {
        return Ok(account);
    }
    crate::routes::create_staff_account(
        state,
        NewStaffAccount {
            username: username.to_owned(),
            name: name.to_owned(),
            role,
            mobile: Some(mobile.to_owned()),
            password: DEMO_PASSWORD.to_owned(),
        },
    )
    .await
}

/// Seeds the demo court (once) and returns it.
pub async fn seed(state: &AppState) -> Result<Demo, AppError> {
    let judge = account(state, "judge", "王法官", StaffRole::Judge, PARTIES[0].mobile).await?;
    let clerk = account(state, "clerk", "李书记", StaffRole::Clerk, PARTIES[1].mobile).await?;
    let admin = account(state, "admin", "管理员", StaffRole::Admin, "13900000009").await?;

    let existing = state
        .store
        .call(|conn| {
            store::hearings::list(conn, cloudtrial_protocol::api::HearingFilter::All, Some(CASE_NUMBER), "")
                .map_err(AppError::from)
        })
        .await?
        .into_iter()
        .find(|h| !h.status.is_over());
    let hearing = match existing {
        Some(hearing) => hearing,
        None => {
            let later = state.clock.now_ms() + 3_600_000;
            let at: CourtDateTime = crate::clock::local_date_time(later, state.config.utc_offset_minutes)
                .parse()
                .map_err(AppError::internal)?;
            let participants = PARTIES
                .iter()
                .map(|p| NewParticipant {
                    name: p.name.to_owned(),
                    role: p.role,
                    mobile: p.mobile.to_owned(),
                    staff_id: match p.role {
                        ParticipantRole::PresidingJudge => Some(judge.id),
                        ParticipantRole::Clerk => Some(clerk.id),
                        _ => None,
                    },
                })
                .collect();
            let request = BookHearingRequest {
                case_number: CASE_NUMBER.to_owned(),
                case_title: "张三诉李四民间借贷纠纷".to_owned(),
                courtroom: "第一法庭".to_owned(),
                scheduled_at: at,
                participants,
            };
            let actor = EventActor::Staff { id: clerk.id, name: clerk.name.clone() };
            crate::booking::book(state, actor, Some(clerk.id), request).await?
        }
    };
    Ok(Demo { judge, clerk, admin, hearing })
}

/// What `--demo` prints: how to log in as each participant.
pub fn instructions(demo: &Demo, base_url: &str) -> String {
    let h = &demo.hearing;
    let mut out = format!(
        "\n云审 demo court is ready at {base_url}\n\
         \n  Hearing {case} {title}, {room}, {at}\n  Meeting number (会议号): {number}\n\
         \n  Court console (username / password):\n    judge / {pw}   {judge} (法官)\n    clerk / {pw}   {clerk} (书记员)\n    admin / {pw}   {admin} (管理员)\n\
         \n  Participants log in with the meeting number and their mobile number:\n",
        case = h.case_number,
        title = h.case_title,
        room = h.courtroom,
        at = h.scheduled_at,
        number = h.meeting_number,
        pw = DEMO_PASSWORD,
        judge = demo.judge.name,
        clerk = demo.clerk.name,
        admin = demo.admin.name,
    );
    for p in &h.participants {
        out.push_str(&format!("    {:<6} {:<4} {}\n", p.role.label(), p.name, p.mobile));
    }
    out.push_str(&format!(
        "\n  The SMS outbox (login codes and notices) is at GET {base_url}/api/sms with a staff token.\n\
         \n  The --demo passwords are public: do not use --demo for a real court.\n"
    ));
    out
}
