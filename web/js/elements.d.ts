// The page's custom elements, for the type checker (not served).
interface HTMLElementTagNameMap {
  'ct-join': HTMLElement;
  'ct-staff-login': HTMLElement;
  'ct-console': HTMLElement;
  'ct-booking': HTMLElement;
  'ct-hearing-admin': HTMLElement;
  'ct-hearing-edit': HTMLElement;
  'ct-room': import('./pages/room.js').RoomPage;
  'ct-record-page': HTMLElement;
  'ct-verify': HTMLElement;
  'ct-staff': HTMLElement;
  'ct-people': import('./room/people.js').People;
  'ct-record-panel': import('./room/record.js').RecordPanel;
  'ct-speech-panel': import('./room/speech.js').SpeechPanel;
  'ct-record-editor': import('./record/editor.js').RecordEditor;
  'ct-signature-pad': import('./record/signature-pad.js').SignaturePad;
  'ct-device-check': import('./room/device-check.js').DeviceCheck;
  'ct-evidence-panel': import('./room/evidence.js').EvidencePanel;
  'ct-evidence-viewer': import('./room/viewer.js').EvidenceViewer;
  'ct-tiles': import('./room/tiles.js').Tiles;
  'ct-annotation-notices': import('./room/annotation-notices.js').AnnotationNotices;
}
