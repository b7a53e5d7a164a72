//! Evidence through the core: queued uploads that survive restarts and
//! network drops, the live list, downloads, and cross-examination.

use std::time::Duration;

use cloudtrial_core::evidence::{DownloadProgress, EvidenceDetails, EvidenceFile, EvidenceOptions, EvidenceService, UploadState, group_by_side, hash_file};
use cloudtrial_core::protocol::Side;
use cloudtrial_core::protocol::api::DeviceKind;
use cloudtrial_core::protocol::evidence::{OpinionRequest, Position, Stance};
use cloudtrial_core::{Client, ClientError, HearingSession};
use cloudtrial_testkit::photos::{phone_photo, photo_of_size};
use cloudtrial_testkit::{DEFENDANT, Link, PLAINTIFF, Party, TcpRelay, TestCourt};
use tokio::sync::watch;

async fn logged_in(court: &TestCourt, base_url: &str, party: &Party, dir: &str) -> Client {
    let client = Client::new(base_url, &court.client_dir(dir)).unwrap();
    client.request_login_code(&court.meeting_number(), party.mobile).await.unwrap();
    let code = court.latest_code(party.mobile).await.unwrap();
    client.login(&court.meeting_number(), party.mobile, &code, DeviceKind::Android).await.unwrap();
    client
}

fn details(title: &str, counter: bool) -> EvidenceDetails {
    EvidenceDetails {
        title: title.into(),
        description: "手机拍摄".into(),
        purpose: "证明借款事实".into(),
        counter,
        answers: None,
    }
}

/// A large "PDF" (a PDF header and random bytes), for uploads that take many chunks.
fn big_pdf(dir: &std::path::Path, megabytes: usize) -> std::path::PathBuf {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    bytes.extend((0..megabytes << 20).map(|_| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as u8
    }));
    bytes.extend_from_slice(b"\n%%EOF\n");
    let path = dir.join("合同扫描件.pdf");
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn until_upload(service: &EvidenceService, what: &str, check: impl Fn(&[cloudtrial_core::evidence::UploadProgress]) -> bool) {
    let mut progress = service.subscribe_uploads();
    let result = tokio::time::timeout(Duration::from_secs(30), progress.wait_for(|p| check(p))).await;
    assert!(result.is_ok(), "timed out waiting for {what}: {:?}", service.uploads());
}

#[tokio::test]
async fn a_counter_evidence_photo_uploads_with_progress_and_appears_with_the_badge() {
    let court = TestCourt::start().await;
    let plaintiff = logged_in(&court, &court.base_url(), &PLAINTIFF, "p").await;
    let defendant = logged_in(&court, &court.base_url(), &DEFENDANT, "d").await;
    let watcher = EvidenceService::start(&defendant, EvidenceOptions::default()).unwrap();
    let room = HearingSession::start(&defendant, DeviceKind::Android).unwrap();
    watcher.follow(&room);

    let service = EvidenceService::start(&plaintiff, EvidenceOptions { chunk_size: 8 * 1024 }).unwrap();
    let dir = court.client_dir("album");
    let photo = dir.join("IMG_0001.JPG");
    std::fs::write(&photo, photo_of_size(1200, 900)).unwrap();
    let mut progress = service.subscribe_uploads();
    let local = service.upload_evidence(&photo, details("还款收据", true)).await.unwrap();
    // The party's photo can go: the queue has its own copy.
    std::fs::remove_file(&photo).unwrap();

    let mut seen_percents = Vec::new();
    loop {
        tokio::time::timeout(Duration::from_secs(30), progress.changed()).await.expect("progress").unwrap();
        let now = progress.borrow_and_update().clone();
        let item = now.iter().find(|p| p.local_id == local).unwrap().clone();
        seen_percents.push(item.percent);
        if item.state == UploadState::Submitted {
            assert_eq!(item.percent, 100);
            assert_eq!(item.state.label(), "已提交");
            break;
        }
    }
    assert!(seen_percents.iter().any(|p| (1..100).contains(p)), "progress in between: {seen_percents:?}");

    // The defendant, in the room, sees it arrive with the 反 flag, grouped under 原告.
    let mut list = watcher.subscribe_evidence();
    let arrived = tokio::time::timeout(Duration::from_secs(10), list.wait_for(|l| !l.is_empty())).await.unwrap().unwrap().clone();
    let groups = group_by_side(&arrived);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].0, Side::Plaintiff);
    assert!(groups[0].1[0].counter);
    assert_eq!(groups[0].1[0].title, "还款收据");
    assert_eq!(groups[0].1[0].media_type, "image/jpeg");
}

#[tokio::test]
async fn an_app_killed_mid_upload_resumes_from_its_queue() {
    let court = TestCourt::start().await;
    let dir = court.client_dir("p");
    let file = big_pdf(&court.client_dir("files"), 3);
    let expected = hash_file(&file).unwrap();
    {
        let client = logged_in(&court, &court.base_url(), &PLAINTIFF, "p").await;
        let service = EvidenceService::start(&client, EvidenceOptions { chunk_size: 16 * 1024 }).unwrap();
        service.upload_evidence(&file, details("合同", false)).await.unwrap();
        until_upload(&service, "a quarter sent", |p| p.first().is_some_and(|p| p.percent >= 25)).await;
        // The app is killed: the service and client go away mid-upload.
    }
    let client = Client::new(&court.base_url(), &dir).unwrap();
    let service = EvidenceService::start(&client, EvidenceOptions { chunk_size: 256 * 1024 }).unwrap();
    let resumed_from = service.uploads()[0].bytes_sent;
    assert!(resumed_from > 0, "the queue remembers how far it got");
    until_upload(&service, "submitted", |p| p.first().is_some_and(|p| p.state == UploadState::Submitted)).await;
    let list = service.refresh().await.unwrap();
    assert_eq!(list.len(), 1, "no duplicate");
    assert_eq!(list[0].sha256, expected);
    assert_eq!(list[0].size, std::fs::metadata(&file).unwrap().len());
}

#[tokio::test]
async fn a_dropped_network_pauses_the_upload_which_then_completes() {
    let court = TestCourt::start().await;
    let relay = TcpRelay::start(court.server().addr).await;
    let client = logged_in(&court, &relay.base_url(), &PLAINTIFF, "p").await;
    let service = EvidenceService::start(&client, EvidenceOptions { chunk_size: 16 * 1024 }).unwrap();
    let file = big_pdf(&court.client_dir("files"), 2);
    service.upload_evidence(&file, details("合同", false)).await.unwrap();
    until_upload(&service, "some progress", |p| p.first().is_some_and(|p| p.percent >= 10)).await;

    let mut saw_pause = false;
    let mut progress = service.subscribe_uploads();
    for _ in 0..20 {
        relay.cut_all();
        let changed = tokio::time::timeout(Duration::from_millis(500), progress.changed()).await;
        if changed.is_ok() && progress.borrow().first().is_some_and(|p| p.state == UploadState::Paused) {
            saw_pause = true;
            let reason = progress.borrow()[0].reason.clone().unwrap_or_default();
            assert!(reason.contains("网络"), "{reason}");
            break;
        }
    }
    assert!(saw_pause, "a cut connection shows as paused: {:?}", service.uploads());
    until_upload(&service, "submitted after the network came back", |p| p.first().is_some_and(|p| p.state == UploadState::Submitted)).await;
    let list = service.refresh().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].sha256, hash_file(&file).unwrap());
}

#[tokio::test]
async fn the_other_side_downloads_checks_and_cross_examines() {
    let court = TestCourt::start().await;
    let plaintiff = logged_in(&court, &court.base_url(), &PLAINTIFF, "p").await;
    let defendant = logged_in(&court, &court.base_url(), &DEFENDANT, "d").await;
    let uploads = EvidenceService::start(&plaintiff, EvidenceOptions::default()).unwrap();
    let photo = court.client_dir("album").join("IMG_0002.JPG");
    std::fs::write(&photo, phone_photo()).unwrap();
    // 证明目的 pasted from a chat, with characters nobody sees (which the
    // server refuses): it is submitted as it shows.
    let pasted = EvidenceDetails { purpose: "证明\u{200B}借款\u{00AD}事实\u{FEFF}".into(), ..details("借条\u{2060}", false) };
    uploads.upload_evidence(&photo, pasted).await.unwrap();
    until_upload(&uploads, "submitted", |p| p.first().is_some_and(|p| p.state == UploadState::Submitted)).await;

    let other = EvidenceService::start(&defendant, EvidenceOptions::default()).unwrap();
    let list = other.refresh().await.unwrap();
    assert_eq!((list[0].title.as_str(), list[0].purpose.as_str()), ("借条", "证明借款事实"));
    // The other side gets the picture without where it was taken, never the original.
    let refused = other.file(&list[0], EvidenceFile::Original).await.unwrap_err();
    assert!(matches!(ClientError::from(refused), ClientError::Forbidden { .. }));
    let copy = std::fs::read(other.file(&list[0], EvidenceFile::Copy).await.unwrap()).unwrap();
    assert!(copy.starts_with(&[0xff, 0xd8]) && !copy.windows(4).any(|w| w == b"Exif"), "a JPEG without EXIF");
    let thumbnail = other.file(&list[0], EvidenceFile::Thumbnail).await.unwrap();
    assert!(std::fs::metadata(&thumbnail).unwrap().len() > 100);
    // The submitter's side gets the original, byte for byte and checked against its hash.
    let original = uploads.file(&list[0], EvidenceFile::Original).await.unwrap();
    assert_eq!(std::fs::read(&original).unwrap(), std::fs::read(&photo).unwrap());
    // Cached: the same path, without asking the server again.
    assert_eq!(uploads.file(&list[0], EvidenceFile::Original).await.unwrap(), original);

    let opinion = OpinionRequest {
        authenticity: Position { stance: Stance::Dispute, reason: "借条签名\u{200B}不是被告所写\u{2764}\u{FE0F}".into() },
        legality: Position { stance: Stance::Accept, reason: String::new() },
        relevance: Position { stance: Stance::Accept, reason: String::new() },
    };
    let answered = other.give_opinion(&list[0].id, &opinion).await.unwrap();
    assert_eq!(answered.opinions[0].authenticity.stance.label(), "有异议");
    assert_eq!(answered.opinions[0].authenticity.reason, "借条签名不是被告所写\u{2764}");
    let own_side = uploads.give_opinion(&list[0].id, &opinion).await.unwrap_err();
    assert!(matches!(ClientError::from(own_side), ClientError::Forbidden { .. }));
    assert_eq!(uploads.refresh().await.unwrap()[0].opinions.len(), 1, "everyone sees the opinion");
}

#[tokio::test]
async fn a_disguised_file_is_refused_before_anything_is_sent() {
    let court = TestCourt::start().await;
    let plaintiff = logged_in(&court, &court.base_url(), &PLAINTIFF, "p").await;
    let service = EvidenceService::start(&plaintiff, EvidenceOptions::default()).unwrap();
    let fake = court.client_dir("album").join("photo.jpg");
    std::fs::write(&fake, "<html><script>alert(1)</script></html>").unwrap();
    let error = service.upload_evidence(&fake, details("照片", false)).await.unwrap_err();
    match ClientError::from(error) {
        ClientError::InvalidInput { message } => assert!(message.contains("不支持的文件类型"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(service.uploads().is_empty());
    for (form, missing) in [
        (EvidenceDetails { purpose: " ".into(), ..details("照片", false) }, "请填写证明目的"),
        (EvidenceDetails { title: "\n".into(), ..details("照片", false) }, "请填写证据名称"),
        // The server's limits and characters, refused before the file is copied and queued.
        (EvidenceDetails { title: "借".repeat(101), ..details("照片", false) }, "证据名称不能超过100个字"),
        (EvidenceDetails { purpose: "证明\u{7}借款".into(), ..details("照片", false) }, "证明目的含有无效字符"),
        // Held by what it shows: nothing but characters nobody sees is nothing.
        (EvidenceDetails { purpose: "\u{200B}\u{202E}".into(), ..details("照片", false) }, "请填写证明目的"),
    ] {
        // The apps ask the same rule before the form closes.
        for refused in [form.check().unwrap_err(), service.upload_evidence(&fake, form.clone()).await.unwrap_err()] {
            match ClientError::from(refused) {
                ClientError::InvalidInput { message } => assert_eq!(message, missing),
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(details("照片", false).check().is_ok());
    assert!(EvidenceDetails { purpose: "证明\u{202E}借款".into(), ..details("照片", false) }.check().is_ok());
    assert!(service.uploads().is_empty());
}

/// Two files picked one right after the other are each queued with their own
/// bytes, and both arrive whole.
#[tokio::test]
async fn two_files_submitted_at_once_are_queued_and_sent_each_with_its_own_bytes() {
    let court = TestCourt::start().await;
    let client = logged_in(&court, &court.base_url(), &PLAINTIFF, "p").await;
    let service = EvidenceService::start(&client, EvidenceOptions { chunk_size: 256 * 1024 }).unwrap();
    let files = court.client_dir("files");
    let (first, second) = (files.join("第一份.pdf"), files.join("第二份.pdf"));
    std::fs::rename(big_pdf(&files, 12), &first).unwrap();
    std::fs::rename(big_pdf(&files, 8), &second).unwrap();
    let (a, b) = tokio::join!(
        service.upload_evidence(&first, details("第一份", false)),
        service.upload_evidence(&second, details("第二份", false)),
    );
    let (a, b) = (a.expect("the first is queued"), b.expect("the second is queued"));
    assert_ne!(a, b);
    until_upload(&service, "both submitted", |p| p.len() == 2 && p.iter().all(|p| p.state == UploadState::Submitted)).await;
    let list = service.refresh().await.unwrap();
    let mut hashes: Vec<_> = list.iter().map(|e| (e.title.clone(), e.sha256.clone())).collect();
    hashes.sort();
    assert_eq!(
        hashes,
        vec![("第一份".to_owned(), hash_file(&first).unwrap()), ("第二份".to_owned(), hash_file(&second).unwrap())]
    );
}

/// What one party queued on a phone is theirs: another party logging in on
/// the same phone neither sees it nor sends it in their name.
#[tokio::test]
async fn an_upload_queued_by_one_party_is_never_sent_in_another_party_s_name() {
    let court = TestCourt::start().await;
    let plaintiff = logged_in(&court, &court.base_url(), &PLAINTIFF, "phone").await;
    let service = EvidenceService::start(&plaintiff, EvidenceOptions::default()).unwrap();
    let photo = court.client_dir("album").join("借条.jpg");
    std::fs::write(&photo, phone_photo()).unwrap();
    let local = service.upload_evidence(&photo, details("原告的借条", false)).await.unwrap();
    service.pause(local).unwrap();
    drop(service);
    plaintiff.logout().await.unwrap();

    let defendant = logged_in(&court, &court.base_url(), &DEFENDANT, "phone").await;
    let theirs = EvidenceService::start(&defendant, EvidenceOptions::default()).unwrap();
    assert!(theirs.uploads().is_empty(), "the plaintiff's queued upload is not the defendant's: {:?}", theirs.uploads());
    drop(theirs);
    defendant.logout().await.unwrap();

    // The plaintiff, back on the phone, finds it waiting and sends it.
    let plaintiff = logged_in(&court, &court.base_url(), &PLAINTIFF, "phone").await;
    let service = EvidenceService::start(&plaintiff, EvidenceOptions::default()).unwrap();
    assert_eq!(service.uploads().iter().map(|u| u.local_id).collect::<Vec<_>>(), vec![local]);
    service.resume(local).unwrap();
    until_upload(&service, "submitted", |p| p.first().is_some_and(|p| p.state == UploadState::Submitted)).await;
    let list = service.refresh().await.unwrap();
    assert_eq!((list.len(), list[0].title.as_str(), list[0].submitter.name.as_str()), (1, "原告的借条", "张三"));
}

/// On an uplink of 8 KiB/s a 320 KiB chunk takes 40 s: longer than the API's
/// usual 30 s for a request, but within what the server allows a body. The
/// upload goes through instead of timing out again and again.
#[tokio::test]
async fn a_slow_uplink_still_gets_its_chunks_through() {
    let court = TestCourt::start().await;
    let relay = TcpRelay::start_with_uplink(court.server().addr, Some(8 * 1024)).await;
    let client = logged_in(&court, &relay.base_url(), &PLAINTIFF, "p").await;
    let service = EvidenceService::start(&client, EvidenceOptions { chunk_size: 320 * 1024 }).unwrap();
    let files = court.client_dir("files");
    let scan = files.join("扫描件.pdf");
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..320 * 1024 - 16).map(|i| (i * 7 % 251) as u8));
    bytes.extend_from_slice(b"\n%%EOF\n");
    std::fs::write(&scan, &bytes).unwrap();
    service.upload_evidence(&scan, details("扫描件", false)).await.unwrap();
    let mut progress = service.subscribe_uploads();
    let done = tokio::time::timeout(
        Duration::from_secs(120),
        progress.wait_for(|p| p.first().is_some_and(|p| matches!(p.state, UploadState::Submitted | UploadState::Failed))),
    )
    .await
    .expect("the upload ends within two minutes")
    .unwrap()
    .clone();
    assert_eq!(done[0].state, UploadState::Submitted, "{done:?}");
    assert_eq!(service.refresh().await.unwrap()[0].sha256, hash_file(&scan).unwrap());
}

/// 暂停 stops an upload under way at the next chunk, and 继续 takes it to
/// the end, where it shows as 已提交 (not paused for ever).
#[tokio::test]
async fn pausing_stops_an_upload_under_way_and_resuming_finishes_it() {
    let court = TestCourt::start().await;
    let client = logged_in(&court, &court.base_url(), &PLAINTIFF, "p").await;
    let service = EvidenceService::start(&client, EvidenceOptions { chunk_size: 16 * 1024 }).unwrap();
    let file = big_pdf(&court.client_dir("files"), 4);
    let local = service.upload_evidence(&file, details("合同", false)).await.unwrap();
    until_upload(&service, "some progress", |p| p.first().is_some_and(|p| p.percent >= 5)).await;
    service.pause(local).unwrap();
    // Whatever chunk was on its way lands; then nothing more goes.
    let sent = |service: &EvidenceService| service.uploads()[0].bytes_sent;
    let mut progress = service.subscribe_uploads();
    let before = sent(&service);
    while tokio::time::timeout(Duration::from_millis(500), progress.changed()).await.is_ok() {}
    assert!(sent(&service) <= before + 2 * 16 * 1024, "stopped within a chunk or two: {before} then {}", sent(&service));
    assert_eq!(service.uploads()[0].state, UploadState::Paused);
    assert!(service.refresh().await.unwrap().is_empty(), "not submitted while paused");

    service.resume(local).unwrap();
    until_upload(&service, "submitted after resuming", |p| p.first().is_some_and(|p| p.state == UploadState::Submitted)).await;
    assert_eq!(service.refresh().await.unwrap()[0].sha256, hash_file(&file).unwrap());
}

/// Where the client keeps a download of `sha256` in progress.
fn partial_download(dir: &std::path::Path, sha256: &str) -> Option<std::path::PathBuf> {
    let name = format!("{sha256}.download");
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.file_name().is_some_and(|n| n == name.as_str()) {
                return Some(path);
            }
        }
    }
    None
}

/// A party on a slow downlink opens another side's 4 MB original. The
/// network drops halfway: what arrived stays on the phone, and the next try
/// fetches only the rest, and checks the whole against its hash. A partial
/// file that is not the original's beginning is fetched again whole.
#[tokio::test]
async fn a_download_cut_off_halfway_goes_on_from_where_it_stopped() {
    let court = TestCourt::start().await;
    let plaintiff = logged_in(&court, &court.base_url(), &PLAINTIFF, "p").await;
    let uploads = EvidenceService::start(&plaintiff, EvidenceOptions::default()).unwrap();
    let scan = big_pdf(&court.client_dir("files"), 4);
    let bytes = std::fs::read(&scan).unwrap();
    uploads.upload_evidence(&scan, details("合同", false)).await.unwrap();
    until_upload(&uploads, "submitted", |p| p.first().is_some_and(|p| p.state == UploadState::Submitted)).await;

    let relay = TcpRelay::start_with(court.server().addr, Link { uplink: None, downlink: Some(512 * 1024) }).await;
    let defendant = logged_in(&court, &relay.base_url(), &DEFENDANT, "d").await;
    let other = std::sync::Arc::new(EvidenceService::start(&defendant, EvidenceOptions::default()).unwrap());
    let item = other.refresh().await.unwrap().remove(0);
    let (progress, mut arriving) = watch::channel(DownloadProgress::default());
    let downloading = tokio::spawn({
        let (other, item) = (other.clone(), item.clone());
        async move { other.file_with_progress(&item, EvidenceFile::Original, &progress).await }
    });
    let client_dir = court.client_dir("d");
    let size = bytes.len() as u64;
    let halfway = size / 2;
    // Past halfway by more than a chunk still on its way to the disk.
    let seen = tokio::time::timeout(Duration::from_secs(30), arriving.wait_for(|p| p.bytes_received >= halfway + 256 * 1024))
        .await
        .expect("half the file arrives within 30 s")
        .map(|p| *p)
        .unwrap();
    assert_eq!(seen.total, Some(size), "the size is known from the start");
    assert_eq!(seen.percent, Some((seen.bytes_received * 100 / size) as u8));
    relay.cut_all();
    let cut = downloading.await.unwrap().unwrap_err();
    assert!(matches!(ClientError::from(cut), ClientError::Network { .. }));
    let kept = std::fs::metadata(partial_download(&client_dir, &item.sha256).expect("what arrived is kept")).unwrap().len();
    assert!(kept >= halfway && kept < bytes.len() as u64, "{kept} of {}", bytes.len());

    let before = relay.downstream.load(std::sync::atomic::Ordering::Relaxed);
    // Two views open it at once: one downloads, the other waits for that download, and both
    // show its progress, from where the cut left off, to the end.
    let opening = |other: std::sync::Arc<EvidenceService>, item: cloudtrial_protocol::evidence::Evidence| async move {
        let (progress, mut arriving) = watch::channel(DownloadProgress::default());
        let showing = tokio::spawn(async move {
            let mut shown = Vec::new();
            while arriving.changed().await.is_ok() {
                shown.push(*arriving.borrow_and_update());
            }
            shown
        });
        let path = other.file_with_progress(&item, EvidenceFile::Original, &progress).await.unwrap();
        drop(progress);
        (path, showing.await.unwrap())
    };
    let ((path, first_view), (_, second_view)) =
        tokio::join!(opening(other.clone(), item.clone()), opening(other.clone(), item.clone()));
    for shown in [first_view, second_view] {
        let first = shown.first().expect("progress is shown while the rest arrives");
        assert!(first.bytes_received >= kept && first.bytes_received < size, "{first:?} after {kept} were kept");
        assert_eq!(shown.last().map(|p| (p.bytes_received, p.percent)), Some((size, Some(100))));
        let back = shown.windows(2).find(|w| w[0].bytes_received > w[1].bytes_received);
        assert!(back.is_none(), "it never goes back (the resumed part was kept): {back:?}");
    }
    let fetched = relay.downstream.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "byte for byte");
    assert!(fetched < bytes.len() as u64 - kept + 64 * 1024, "only the rest was fetched: {fetched} bytes after {kept} were kept");
    assert!(partial_download(&client_dir, &item.sha256).is_none(), "nothing partial is left");
    let (progress, _) = watch::channel(DownloadProgress::default());
    other.file_with_progress(&item, EvidenceFile::Original, &progress).await.unwrap();
    assert_eq!(*progress.borrow(), DownloadProgress { bytes_received: size, total: Some(size), percent: Some(100) }, "opened from the cache");

    // A partial file that is not the beginning of the original: the whole file is fetched again.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(path.with_file_name(format!("{}.download", item.sha256)), vec![0u8; 1 << 20]).unwrap();
    let again = other.file(&item, EvidenceFile::Original).await.unwrap();
    assert_eq!(std::fs::read(&again).unwrap(), bytes, "the original, not what was on disk before");
}
