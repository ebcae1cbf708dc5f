// Mounts GraphiQL on #graphiql. It lives in its own file rather than inline in
// index.html so that the page's Content-Security-Policy can refuse every inline
// script: an XSS in the admin playground would run with staff tokens in reach.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  // The server fills these data attributes from Go, HTML-escaped by
  // html/template, so the endpoint never has to be spliced into script source.
  var send = GraphiQL.createFetcher({ url: root.dataset.endpoint });
  // Right after a tab switch GraphiQL can still hold the previous tab's
  // operation name, and Run would ask this document for an operation it
  // does not have ("operation Products not found"). A name the document
  // does not define is left out: a document of one operation needs none.
  var fetcher = function (params, options) {
    var name = params && params.operationName;
    if (typeof name === 'string' && /^[_A-Za-z][_0-9A-Za-z]*$/.test(name) && typeof params.query === 'string') {
      var source = params.query.replace(/#[^\n\r]*/g, '');
      var defines = new RegExp('\\b(query|mutation|subscription)\\s+' + name + '(?![_0-9A-Za-z])');
      if (!defines.test(source)) {
        params = Object.assign({}, params, { operationName: null });
      }
    }
    return send(params, options);
  };
  root.textContent = '';
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: root.dataset.defaultQuery,
      // A first visit opens the catalog query and a "SignIn" tab whose
      // comments say how to get a staff token and where to put it.
      defaultTabs: JSON.parse(root.dataset.defaultTabs),
      // Staff authenticate by pasting "Authorization: Bearer <token>" into the
      // headers editor; persisting it saves re-pasting on every reload.
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    })
  );
})();
