// The page's custom elements, for the type checker (not served).
interface HTMLElementTagNameMap {
  'ct-join': HTMLElement;
  'ct-staff-login': HTMLElement;
  'ct-console': HTMLElement;
  'ct-booking': HTMLElement;
  'ct-hearing-admin': HTMLElement;
  'ct-room': HTMLElement;
  'ct-record-page': HTMLElement;
  'ct-record-panel': import('./room/record.js').RecordPanel;
  'ct-record-editor': import('./record/editor.js').RecordEditor;
  'ct-signature-pad': import('./record/signature-pad.js').SignaturePad;
  'ct-device-check': import('./room/device-check.js').DeviceCheck;
  'ct-evidence-panel': import('./room/evidence.js').EvidencePanel;
  'ct-tiles': import('./room/tiles.js').Tiles;
}
