// Loaded before ReDoc (templates/drf-yasg/redoc.html). ReDoc's side menu ends with a
// "API docs by Redocly" credit whose logo it always loads from cdn.redoc.ly; no ReDoc
// option turns that off. The docs must work without the internet and tell no other
// host who reads them, so that one image address becomes the logo drf-yasg ships.
(function () {
  "use strict";
  var OUTSIDE = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  var LOCAL = document.currentScript.getAttribute("data-logo");
  var proto = HTMLImageElement.prototype;

  function local(value) {
    return value === OUTSIDE ? LOCAL : value;
  }

  // React sets an <img>'s src with setAttribute; the property is covered as well.
  var setAttribute = proto.setAttribute;
  proto.setAttribute = function (name, value) {
    return setAttribute.call(this, name, name === "src" ? local(value) : value);
  };
  var src = Object.getOwnPropertyDescriptor(proto, "src");
  Object.defineProperty(proto, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      src.set.call(this, local(value));
    },
  });
})();
