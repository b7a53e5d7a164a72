//! The texts of the messages, in the court's wording (product manual §1.2).

use cloudtrial_protocol::{CourtDateTime, MeetingNumber};

pub struct NoticeContext<'a> {
    pub court_name: &'a str,
    pub participant_name: &'a str,
    pub case_number: &'a str,
    pub case_title: &'a str,
    pub scheduled_at: CourtDateTime,
    pub courtroom: &'a str,
    pub meeting_number: MeetingNumber,
    /// The landing page for this meeting number (`{public_url}/ots/download/{number}`).
    pub download_link: &'a str,
}

/// The case as the manual's samples name it: its number, then its title
/// (`{测试0615，测试0615}会议`).
fn case(c: &NoticeContext<'_>) -> String {
    format!("{}，{}", c.case_number, c.case_title)
}

/// 庭审通知. The manual's text word for word, except that the PC client is a
/// browser rather than a Windows program.
pub fn hearing_notice(c: &NoticeContext<'_>) -> String {
    format!(
        "【{court}】[云审]{name}，您好，您参与的{title}会议，已决定于{date} {time}进行互联网庭审。\
         请提前访问{link}下载庭审客户端（电脑端可直接使用浏览器）、安装并使用会议号登录，会议号为：{number}",
        court = c.court_name,
        name = c.participant_name,
        title = case(c),
        date = c.scheduled_at.date(),
        time = c.scheduled_at.time(),
        link = c.download_link,
        number = c.meeting_number,
    )
}

pub fn hearing_changed(c: &NoticeContext<'_>) -> String {
    format!(
        "【{court}】[云审]{name}，您好，您参与的{title}会议，开庭时间变更为{date} {time}（{room}）。\
         请访问{link}并使用会议号登录，会议号为：{number}",
        court = c.court_name,
        name = c.participant_name,
        title = case(c),
        date = c.scheduled_at.date(),
        time = c.scheduled_at.time(),
        room = c.courtroom,
        link = c.download_link,
        number = c.meeting_number,
    )
}

pub fn participant_removed(c: &NoticeContext<'_>) -> String {
    format!(
        "【{court}】[云审]{name}，您好，您已不再参与{title}会议，会议号{number}对您不再有效。",
        court = c.court_name,
        name = c.participant_name,
        title = case(c),
        number = c.meeting_number,
    )
}

pub fn hearing_cancelled(c: &NoticeContext<'_>) -> String {
    format!(
        "【{court}】[云审]{name}，您好，您参与的{title}会议（原定于{date} {time}）已取消。",
        court = c.court_name,
        name = c.participant_name,
        title = case(c),
        date = c.scheduled_at.date(),
        time = c.scheduled_at.time(),
    )
}

/// 发起签名: the record is ready to be signed.
pub fn signing_request(c: &NoticeContext<'_>) -> String {
    format!(
        "【{court}】[云审]{name}，您好，您参与的{title}会议的庭审笔录已发起签名。\
         请访问{link}并使用会议号登录，阅读笔录后签名，会议号为：{number}",
        court = c.court_name,
        name = c.participant_name,
        title = case(c),
        link = c.download_link,
        number = c.meeting_number,
    )
}

pub fn login_code(court_name: &str, code: &str, valid_minutes: u32) -> String {
    format!("【{court_name}】[云审]您的会议登录验证码为：{code}，{valid_minutes}分钟内有效。如非本人操作，请忽略本短信。")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_reads_as_in_the_manual() {
        let c = NoticeContext {
            court_name: "天津法院",
            participant_name: "王颖",
            case_number: "测试0615",
            case_title: "测试0615",
            scheduled_at: "2021-06-15 09:53".parse().unwrap(),
            courtroom: "第一法庭",
            meeting_number: "55204536".parse().unwrap(),
            download_link: "https://wsyj.tjcourt.gov.cn/ots/download/55204536",
        };
        assert_eq!(
            hearing_notice(&c),
            "【天津法院】[云审]王颖，您好，您参与的测试0615，测试0615会议，已决定于2021-06-15 09:53进行互联网庭审。\
             请提前访问https://wsyj.tjcourt.gov.cn/ots/download/55204536下载庭审客户端（电脑端可直接使用浏览器）、\
             安装并使用会议号登录，会议号为：55204536"
        );
    }
}
