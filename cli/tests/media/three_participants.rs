use cloudtrial_testkit::{DEFENDANT, JUDGE, PLAINTIFF, TestCourt};

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_participants_each_decode_the_other_two_and_know_who_sent_it() {
    let _turn = one_at_a_time().await;
    let court = TestCourt::start().await;
    let mut judge = Cli::join(&court, &JUDGE, Options { colour: "red", tone: 440, extra: &["--bind", "127.0.0.1"] }).await;
    let mut plaintiff = Cli::join(&court, &PLAINTIFF, Options { colour: "green", tone: 660, extra: &["--bind", "127.0.0.1"] }).await;
    let mut defendant = Cli::join(&court, &DEFENDANT, Options { colour: "blue", tone: 880, extra: &["--bind", "127.0.0.1"] }).await;
    let (j, p, d) = (judge.id, plaintiff.id, defendant.id);

    let seen = judge
        .until("judge sees plaintiff and defendant", 40, |s| sees_and_hears(s, p, 30, "green", 660) && sees_and_hears(s, d, 30, "blue", 880))
        .await;
    assert_eq!(received(&seen, p).unwrap()["label"], "原告 张三");
    assert_eq!(received(&seen, d).unwrap()["label"], "被告 李四");
    assert_eq!(received(&seen, p).unwrap()["width"], 160);
    plaintiff
        .until("plaintiff sees judge and defendant", 40, |s| sees_and_hears(s, j, 30, "red", 440) && sees_and_hears(s, d, 30, "blue", 880))
        .await;
    let seen = defendant
        .until("defendant sees judge and plaintiff", 40, |s| sees_and_hears(s, j, 30, "red", 440) && sees_and_hears(s, p, 30, "green", 660))
        .await;
    assert_eq!(received(&seen, j).unwrap()["label"], "审判长 王法官");
    assert!(received(&seen, d).is_none(), "nobody receives their own media back");
    assert_eq!(seen["media_joins"], 1);
}
