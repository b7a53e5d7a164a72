// The page's custom elements, for the type checker (not served).
interface HTMLElementTagNameMap {
  'ct-join': HTMLElement;
  'ct-staff-login': HTMLElement;
  'ct-console': HTMLElement;
  'ct-booking': HTMLElement;
  'ct-hearing-admin': HTMLElement;
  'ct-room': HTMLElement;
  'ct-device-check': import('./room/device-check.js').DeviceCheck;
  'ct-evidence-panel': import('./room/evidence.js').EvidencePanel;
  'ct-tiles': import('./room/tiles.js').Tiles;
}
