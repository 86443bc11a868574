// The API key of the pages (README "Keys and access"): it comes once as ?key=… in the page URL, is kept in
// sessionStorage for this tab and removed from the address bar, so it is not bookmarked or shown over a shoulder.
// Null while the server runs without keys.
function poiskApiKey() {
  'use strict';
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('key');
  if (fromUrl) {
    sessionStorage.setItem('poisk.key', fromUrl);
    params.delete('key');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  }
  return sessionStorage.getItem('poisk.key');
}
