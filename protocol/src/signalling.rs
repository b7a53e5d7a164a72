//! Messages on the hearing room's WebSocket (`/api/room`), JSON text frames
//! tagged by `type`. The client's first message must be `hello`.

use serde::{Deserialize, Serialize};

use crate::annotation::{Annotating, Mark, MarkDraft};
use crate::api::{DeviceKind, HearingAction, HearingStatus, ParticipantSummary};
use crate::{ErrorBody, ParticipantRole};

/// What the blocked party's screen says (manual §1.3.2).
/// The panel's words when the court runs without a speech engine.
pub const RECOGNITION_UNAVAILABLE: &str = "本庭未启用语音识别";

pub const BLOCKED_MESSAGE: &str = "您已被屏蔽，请等待法官传唤";
/// Where the pictures were, once the hearing is over (闭庭 or cancelled): media ends for good,
/// and nobody's client joins it again.
pub const MEDIA_ENDED_MESSAGE: &str = "庭审已结束，音视频已关闭";
/// The recognition panel before the judge starts (manual §1.3.2).
pub const RECOGNITION_NOT_STARTED: &str = "语音识别暂未开始";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Authenticates the socket with a participant session token.
    Hello { token: String, protocol_version: u32, device: DeviceKind },
    /// A command only the presiding judge (审判长/审判员) may give.
    Command { request_id: u64, command: JudgeCommand },
    /// Starts this participant's media: an SDP offer for a new peer connection
    /// (replacing any earlier one). The server answers with `media_answer`.
    MediaJoin { sdp: String },
    /// A new offer on the existing peer connection (an ICE restart after a network change).
    MediaOffer { sdp: String },
    /// The answer to the server's `media_offer`.
    MediaAnswer { sdp: String },
    /// A trickled ICE candidate (`candidate:...`).
    MediaCandidate { candidate: String },
    /// Stops this participant's media.
    MediaLeave,
    /// The participant's own camera and microphone switches.
    DeviceState { camera_on: bool, microphone_on: bool, camera_facing: CameraFacing },
    /// 申请圈注, optionally naming the evidence. Answered by `annotation_result`.
    RequestAnnotation { request_id: u64, evidence_id: Option<String> },
    /// A mark still being drawn, for the others to watch (throttled by the
    /// sender, not stored). `stroke` tells this author's strokes apart.
    PreviewMark { stroke: u32, draft: MarkDraft },
    /// The stroke being drawn was given up (too small to keep, or cancelled):
    /// the others drop its preview.
    ClearPreview,
    /// A finished mark, to be committed. Answered by `annotation_result`.
    DrawMark { request_id: u64, draft: MarkDraft },
    /// Takes a mark away: one's own (撤销), or any mark for the presiding judge.
    RemoveMark { request_id: u64, mark_id: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraFacing {
    #[default]
    Front,
    Back,
}

/// The network quality indicator every participant sees for everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkQuality {
    Good,
    Fair,
    Poor,
    /// A grade this side does not know yet (from a newer server).
    #[serde(other)]
    Unknown,
}

impl NetworkQuality {
    pub const ALL: [NetworkQuality; 3] = [Self::Good, Self::Fair, Self::Poor];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Fair => "fair",
            Self::Poor => "poor",
            Self::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Good => "良好",
            Self::Fair => "一般",
            Self::Poor => "较差",
            Self::Unknown => "未知",
        }
    }

    /// Classifies a connection by packet loss (0..1) and round-trip time.
    pub fn from_measurements(loss: f32, rtt_ms: u32) -> Self {
        if loss > 0.10 || rtt_ms > 500 {
            Self::Poor
        } else if loss > 0.03 || rtt_ms > 250 {
            Self::Fair
        } else {
            Self::Good
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum JudgeCommand {
    /// 开始: 未开庭 → 庭审中
    Start,
    /// 休庭: 庭审中 → 休庭
    Adjourn,
    /// 继续: 休庭 → 庭审中
    Resume,
    /// 闭庭: 庭审中 or 休庭 → 已闭庭
    Close,
    /// 屏蔽 a party: they see and hear nothing of the hearing until summoned.
    Block { participant_id: i64 },
    /// 传唤 a blocked party back.
    Summon { participant_id: i64 },
    /// Mute or unmute a participant's microphone.
    SetMuted { participant_id: i64, muted: bool },
    /// 通过: approve a party's 申请圈注.
    AllowAnnotation { participant_id: i64 },
    /// 拒绝 a party's 申请圈注.
    RefuseAnnotation { participant_id: i64 },
    /// 收回圈注: end a party's permission at once.
    WithdrawAnnotation { participant_id: i64 },
}

impl JudgeCommand {
    /// The move along the hearing's path this command is, if it is one.
    pub fn hearing_action(&self) -> Option<HearingAction> {
        match self {
            Self::Start => Some(HearingAction::Start),
            Self::Adjourn => Some(HearingAction::Adjourn),
            Self::Resume => Some(HearingAction::Resume),
            Self::Close => Some(HearingAction::Close),
            Self::Block { .. }
            | Self::Summon { .. }
            | Self::SetMuted { .. }
            | Self::AllowAnnotation { .. }
            | Self::RefuseAnnotation { .. }
            | Self::WithdrawAnnotation { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The socket is authenticated; the room follows at once.
    Welcome { protocol_version: u32, participant_id: i64, hearing_id: i64 },
    /// The room as this participant may see it. Sent after `welcome` and after every change.
    Room { room: RoomView },
    /// Something happened in the room (for notices and logs; `room` is the truth).
    Notice { notice: RoomNotice },
    /// The answer to a `command`.
    CommandResult { request_id: u64, error: Option<ErrorBody> },
    /// The last message could not be understood or was not allowed; the connection stays open.
    Error { error: ErrorBody },
    /// This participant connected again elsewhere; this connection is closed and should not reconnect.
    Replaced,
    /// The participant may no longer be in the room (removed, hearing cancelled); do not reconnect.
    /// `code` is `session_expired` when the login behind the connection ended:
    /// the client should forget it and ask the party to log in again.
    Ended {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<crate::ErrorCode>,
    },
    /// The server's answer to `media_join` or `media_offer`.
    MediaAnswer { sdp: String },
    /// The server adds (or changes) media on the peer connection: answer with `media_answer`.
    MediaOffer { sdp: String },
    /// The server dropped this participant's peer connection (e.g. it restarted); send `media_join` again.
    MediaReset,
    /// Speech recognised live: the words so far of someone still speaking, or a finished sentence.
    Speech { utterance: Utterance },
    /// Every sentence recognised so far, after `welcome` (and after a summons): it replaces what the client had.
    SpeechHistory { utterances: Vec<Utterance> },
    /// Every current mark of the hearing, after `welcome` (and after a summons): it replaces what the client had.
    Marks { marks: Vec<Mark> },
    /// A mark was committed.
    MarkAdded { mark: Mark },
    /// A mark was taken away (undone by its author or cleared by the judge).
    MarkRemoved { mark_id: i64, evidence_id: String, by: ParticipantSummary },
    /// Someone is drawing: their mark so far (replaces their earlier preview of the same stroke).
    MarkPreview { author: ParticipantSummary, stroke: u32, draft: MarkDraft },
    /// Drop every preview of this participant (they finished, gave up, left, or may no longer draw).
    PreviewCleared { participant_id: i64 },
    /// The answer to `request_annotation`, `draw_mark` or `remove_mark`.
    AnnotationResult { request_id: u64, mark_id: Option<i64>, error: Option<ErrorBody> },
}

/// A line of the recognition panel: what one participant said, as recognised
/// from their own microphone (so who said it is certain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Utterance {
    /// Stays the same while the sentence is spoken: partials, then the final, replace each other.
    pub segment: u64,
    pub speaker: crate::api::ParticipantSummary,
    /// Milliseconds since the hearing started (开始).
    pub start_ms: i64,
    pub end_ms: i64,
    pub text: String,
    /// How sure the engine is (0..1), on finished sentences.
    pub confidence: Option<f32>,
    /// A finished sentence, kept in the hearing; otherwise the words so far.
    pub is_final: bool,
}

/// The room as one participant sees it. A blocked party sees only themself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomView {
    pub hearing_id: i64,
    /// Increases with every change.
    pub revision: u64,
    pub status: HearingStatus,
    pub recognition: RecognitionPanel,
    /// Everyone in the hearing (online or not), or only `me` while blocked.
    pub participants: Vec<RoomParticipant>,
    pub me: RoomParticipant,
    /// `您已被屏蔽，请等待法官传唤` while blocked.
    pub blocked_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomParticipant {
    pub id: i64,
    pub name: String,
    pub role: ParticipantRole,
    pub online: bool,
    pub device: Option<DeviceKind>,
    pub blocked: bool,
    /// Muted by the judge.
    pub muted: bool,
    /// The participant's own switches.
    pub camera_on: bool,
    pub microphone_on: bool,
    /// Measured by the server from the participant's media connection; `None` without media.
    pub network: Option<NetworkQuality>,
    /// Whether they may annotate evidence (圈注), or have asked to.
    #[serde(default)]
    pub annotating: Annotating,
    /// The evidence a pending 申请圈注 names, if it names one.
    #[serde(default)]
    pub annotation_request: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecognitionStatus {
    NotStarted,
    Running,
    Paused,
    Ended,
    /// The server runs without a speech engine.
    Unavailable,
    /// A state this side does not know yet (from a newer server): the panel shows its message.
    #[serde(other)]
    Unknown,
}

/// The speech recognition panel on the left of the hearing screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecognitionPanel {
    pub status: RecognitionStatus,
    /// What the panel says when it has no text to show.
    pub message: String,
}

impl RecognitionPanel {
    /// The panel follows the hearing: nothing before the judge starts.
    /// Without a speech engine it says so while the hearing runs.
    pub fn for_status(status: HearingStatus, engine: bool) -> Self {
        let (status, message) = match status {
            HearingStatus::InSession | HearingStatus::Adjourned if !engine => {
                (RecognitionStatus::Unavailable, RECOGNITION_UNAVAILABLE)
            }
            HearingStatus::Scheduled | HearingStatus::Cancelled | HearingStatus::Unknown => {
                (RecognitionStatus::NotStarted, RECOGNITION_NOT_STARTED)
            }
            HearingStatus::InSession => (RecognitionStatus::Running, "语音识别已开始"),
            HearingStatus::Adjourned => (RecognitionStatus::Paused, "休庭中，语音识别已暂停"),
            HearingStatus::Closed => (RecognitionStatus::Ended, "庭审已结束"),
        };
        Self { status, message: message.to_owned() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoomNotice {
    Joined { participant_id: i64, device: DeviceKind },
    Left { participant_id: i64 },
    StatusChanged { status: HearingStatus, by: i64 },
    Blocked { participant_id: i64, by: i64 },
    Summoned { participant_id: i64, by: i64 },
    MuteChanged { participant_id: i64, muted: bool, by: i64 },
    /// Evidence was submitted, withdrawn or given an opinion: refresh the evidence list.
    EvidenceChanged { evidence_id: String },
    /// The clerk saved a new version of the court record.
    RecordSaved { version: u32 },
    /// Signing changed: started, a signature arrived, or the round was superseded.
    SigningChanged { round_id: i64 },
    /// A party asked to annotate (申请圈注).
    AnnotationRequested { participant_id: i64, evidence_id: Option<String> },
    AnnotationAllowed { participant_id: i64, by: i64 },
    AnnotationRefused { participant_id: i64, by: i64 },
    /// The judge withdrew a permission (收回圈注).
    AnnotationWithdrawn { participant_id: i64, by: i64 },
    /// The hearing was changed (修改庭审: its time, courtroom, case or participants):
    /// whoever shows its details loads them again.
    DetailsChanged,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_a_stable_json_shape() {
        let hello = ClientMessage::Hello { token: "t".into(), protocol_version: 1, device: DeviceKind::Android };
        assert_eq!(
            serde_json::to_string(&hello).unwrap(),
            r#"{"type":"hello","token":"t","protocol_version":1,"device":"android"}"#
        );
        let command = ClientMessage::Command { request_id: 7, command: JudgeCommand::Block { participant_id: 3 } };
        assert_eq!(
            serde_json::to_string(&command).unwrap(),
            r#"{"type":"command","request_id":7,"command":{"action":"block","participant_id":3}}"#
        );
        assert_eq!(serde_json::to_string(&ClientMessage::ClearPreview).unwrap(), r#"{"type":"clear_preview"}"#);
    }

    #[test]
    fn network_quality_follows_loss_and_delay() {
        assert_eq!(NetworkQuality::from_measurements(0.0, 40), NetworkQuality::Good);
        assert_eq!(NetworkQuality::from_measurements(0.05, 40), NetworkQuality::Fair);
        assert_eq!(NetworkQuality::from_measurements(0.01, 800), NetworkQuality::Poor);
        assert_eq!(NetworkQuality::Fair.label(), "一般");
    }

    #[test]
    fn the_panel_says_not_started_until_the_judge_starts() {
        assert_eq!(RecognitionPanel::for_status(HearingStatus::Scheduled, true).message, "语音识别暂未开始");
        assert_eq!(RecognitionPanel::for_status(HearingStatus::InSession, true).status, RecognitionStatus::Running);
        assert_eq!(RecognitionPanel::for_status(HearingStatus::Scheduled, false).message, "语音识别暂未开始");
        assert_eq!(RecognitionPanel::for_status(HearingStatus::InSession, false).message, "本庭未启用语音识别");
    }
}
