/*! Servicelotsen chat widget (MIT licence).
 *
 * Embed on any page with one tag:
 *   <script src="https://CHATTSERVERN/widget/servicelotsen.js" defer></script>
 *
 * Plain JavaScript, no build step, no third-party code. Everything is built
 * with DOM methods and textContent: nothing a resident or the data writes is
 * ever parsed as HTML. The widget lives in a shadow root, so the host page's
 * styles do not leak in and ours do not leak out. It talks only to the front
 * that served it (POST ../api/chat next to this file).
 */
(function () {
  "use strict";

  if (window.servicelotsenWidget) {
    return; // the tag is on the page twice
  }

  var script =
    document.currentScript ||
    document.querySelector('script[src*="servicelotsen.js"]');
  var SCRIPT_URL = script && script.src ? script.src : location.href;
  var ASSETS = new URL("./", SCRIPT_URL);
  var API = new URL("../api/", ASSETS);
  // the privacy page in the widget's language (docs/personuppgifter.md,
  // docs/personal-data.md)
  var PRIVACY_URLS = {
    sv: new URL("../personuppgifter", ASSETS).href,
    en: new URL("../en/personal-data", ASSETS).href,
  };

  var STORE_KEY = "servicelotsen:v1";
  var MAX_KEPT = 80; // messages kept for a reload
  var FORGET_AFTER_MS = 12 * 60 * 60 * 1000; // a shared computer forgets
  var TURN_TIMEOUT_MS = 40000;
  var RECHECK_MS = 10000;

  // The widget's own words in Swedish and English. The language is, in this
  // order: the one the resident chose with the switch in the panel, the
  // tag's data-lang="en"/"sv", the page's <html lang>, Swedish. Every turn
  // tells the front (and so Rasa, as message metadata) which one is showing.
  var TEXTS = {
    sv: {
      launcher: "Chatta med Servicelotsen",
      title: "Servicelotsen",
      subtitle: "Hitta service nära dig i Blekinge",
      language: "Språk",
      languageNow: "Chatten visas nu på svenska.",
      restart: "Börja om",
      close: "Stäng",
      closeLabel: "Stäng chatten",
      log: "Samtalet",
      botSays: "Servicelotsen: ",
      youSay: "Du: ",
      inputLabel: "Skriv din fråga",
      placeholder: "T.ex. apotek i Ronneby",
      send: "Skicka",
      quick: "Snabbval",
      answers: "Svarsalternativ",
      typing: "Servicelotsen skriver",
      welcome:
        "Hej! Jag är Servicelotsen. Jag hjälper dig att hitta service nära dig i Blekinge, " +
        "till exempel matbutik, apotek, paketombud eller bankomat. " +
        "Skriv vad du letar efter och var, eller välj en knapp nedan.",
      offline:
        "Servicelotsen går inte att nå just nu. Försök igen om en stund. " +
        "Du kan också ringa din kommun.",
      back: "Servicelotsen går att nå igen.",
      failed: "Något gick fel. Försök igen om en stund.",
      // the front's own sentence is shown (bot/web/texts.py); these only
      // when it sent none in the language showing
      errors: {},
      notSent: "Inte skickat",
      restarted: "Samtalet är rensat. Du kan börja om.",
      places: "Ställen",
      crowFlies: " fågelvägen",
      road: ", cirka {road} på väg",
      today: "I dag: ",
      phone: "Telefon: ",
      map: "Visa på karta",
      mapHidden: " för {name} på OpenStreetMap (öppnas i ny flik)",
      website: "Webbplats",
      websiteHidden: " för {name} (öppnas i ny flik)",
      report: "Stämmer inte?",
      reportHidden: " Säg till om uppgiften om {name} är fel",
      reportShown: "Stämmer inte: {name}",
      privacy: "Om personuppgifter",
      newTab: " (öppnas i ny flik)",
      myPosition: "Min position (ungefärlig)",
      geoButton: "Dela min position",
      geoTitle: "Dela din position?",
      geoExplain:
        "Din webbläsare frågar först om lov. Servicelotsen får då var du är " +
        "på ungefär 100 meter när och använder det bara för att hitta service " +
        "nära dig i det här samtalet. Positionen sparas inte i din webbläsare.",
      geoShare: "Dela position",
      geoCancel: "Avbryt",
      geoWaiting: "Hämtar din position …",
      geoDenied:
        "Du delade inte din position. Skriv i stället namnet på orten där du är, " +
        "till exempel Jämjö.",
      geoFailed:
        "Jag kunde inte ta reda på din position. Skriv i stället namnet på orten där du är.",
      geoMissing:
        "Din webbläsare kan inte dela position här. Skriv i stället namnet på orten där du är.",
      quickReplies: ["Matbutik", "Apotek", "Paketombud"],
    },
    en: {
      launcher: "Chat with Servicelotsen",
      title: "Servicelotsen",
      subtitle: "Find services near you in Blekinge",
      language: "Language",
      languageNow: "The chat is now in English.",
      restart: "Start over",
      close: "Close",
      closeLabel: "Close the chat",
      log: "Conversation",
      botSays: "Servicelotsen: ",
      youSay: "You: ",
      inputLabel: "Type your question",
      placeholder: "E.g. pharmacy in Ronneby",
      send: "Send",
      quick: "Quick choices",
      answers: "Answer options",
      typing: "Servicelotsen is typing",
      welcome:
        "Hello! I am Servicelotsen. I help you find services near you in Blekinge, " +
        "such as a grocery shop, a pharmacy, a parcel pickup point or a cash machine. " +
        "Write what you are looking for and where, or choose a button below. " +
        "Place and shop names stay in Swedish.",
      offline:
        "Servicelotsen cannot be reached right now. Please try again in a while. " +
        "You can also call your municipality.",
      back: "Servicelotsen can be reached again.",
      failed: "Something went wrong. Please try again in a while.",
      // when the front's sentence is not in English (an older front, a proxy's
      // error page), the widget says it itself
      errors: {
        400: "Something went wrong. Please reload the page and try again.",
        403: "This website is not allowed to use Servicelotsen.",
        413: "The message is too long. Please write a shorter message.",
        415: "Something went wrong. Please reload the page and try again.",
        429:
          "You have sent many messages in a short time. " +
          "Please wait a little while and then try again.",
        502:
          "Servicelotsen had a technical problem and could not answer. " +
          "Please try again in a while.",
        503:
          "Servicelotsen cannot be reached right now. Please try again in a while. " +
          "You can also call your municipality.",
        504: "Servicelotsen is not answering right now. Please try again in a while.",
      },
      notSent: "Not sent",
      restarted: "The conversation has been cleared. You can start over.",
      places: "Places",
      crowFlies: " as the crow flies",
      road: ", about {road} by road",
      today: "Today: ",
      phone: "Phone: ",
      map: "Show on map",
      mapHidden: " for {name} on OpenStreetMap (opens in a new tab)",
      website: "Website",
      websiteHidden: " for {name} (opens in a new tab)",
      report: "Not right?",
      reportHidden: " Tell us if the information about {name} is wrong",
      reportShown: "Not right: {name}",
      privacy: "About personal data",
      newTab: " (opens in a new tab)",
      myPosition: "My position (approximate)",
      geoButton: "Share my position",
      geoTitle: "Share your position?",
      geoExplain:
        "Your browser asks for permission first. Servicelotsen then gets where you are " +
        "to within about 100 metres and uses it only to find services near you " +
        "in this conversation. The position is not stored in your browser.",
      geoShare: "Share position",
      geoCancel: "Cancel",
      geoWaiting: "Getting your position …",
      geoDenied:
        "You did not share your position. Please type the name of the place where you are " +
        "instead, for example Jämjö.",
      geoFailed:
        "I could not find out your position. Please type the name of the place where you are instead.",
      geoMissing:
        "Your browser cannot share a position here. Please type the name of the place where you are instead.",
      quickReplies: ["Grocery shop", "Pharmacy", "Parcel pickup"],
    },
  };
  /** The switch's buttons: each language named in itself. */
  var LANGUAGES = [
    { code: "sv", name: "Svenska" },
    { code: "en", name: "English" },
  ];

  /** "sv" or "en" for a BCP 47 tag; null when the tag says nothing. */
  function languageOf(tag) {
    var code = String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
    if (!code) {
      return null;
    }
    // Scandinavian readers read Swedish; other languages get English
    return ["sv", "da", "no", "nb", "nn"].indexOf(code) >= 0 ? "sv" : "en";
  }

  function pageLanguage() {
    return (
      languageOf(script && script.dataset.lang) ||
      languageOf(document.documentElement.getAttribute("lang")) ||
      "sv"
    );
  }

  var TEXT = TEXTS.sv; // set for real once the stored state is read

  var QUICK_REPLIES = [
    '/find_service{"service_type": "dagligvaror"}',
    '/find_service{"service_type": "apotek"}',
    '/find_service{"service_type": "paketombud"}',
  ];

  // --- small DOM helpers (no HTML parsing anywhere) ---------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) {
          return;
        }
        if (name === "text") {
          node.textContent = value;
        } else {
          node.setAttribute(name, value === true ? "" : String(value));
        }
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.append(child);
      }
    });
    return node;
  }

  function srOnly(text) {
    return el("span", { class: "sl-sr", text: text });
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) {
      return values[key];
    });
  }

  function capitalise(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  }

  /** A link the resident can follow: only absolute http(s) URLs. */
  function webUrl(value) {
    if (typeof value !== "string") {
      return null;
    }
    try {
      var url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (_e) {
      return null;
    }
  }

  function externalLink(href, visible, hidden, className) {
    return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", class: className }, [
      visible,
      hidden ? srOnly(hidden) : null,
    ]);
  }

  var URL_IN_TEXT = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;

  /** Text with its web addresses as links; everything else stays text. */
  function linkified(text) {
    var nodes = [];
    var last = 0;
    text.replace(URL_IN_TEXT, function (match, offset) {
      var href = webUrl(match);
      if (href) {
        nodes.push(document.createTextNode(text.slice(last, offset)));
        nodes.push(externalLink(href, match, TEXT.newTab));
        last = offset + match.length;
      }
      return match;
    });
    nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  function makeId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // crypto.randomUUID needs a secure context; getRandomValues does not
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join("");
  }

  function prefersReducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // --- the transcript, kept in this browser so a reload continues ---------------

  var memoryStore = null; // when localStorage is blocked

  function loadState() {
    var raw = null;
    try {
      raw = window.localStorage.getItem(STORE_KEY);
    } catch (_e) {
      raw = memoryStore;
    }
    var state = null;
    try {
      state = raw ? JSON.parse(raw) : null;
    } catch (_e) {
      state = null;
    }
    var fresh =
      state &&
      typeof state.sender === "string" &&
      Array.isArray(state.messages) &&
      typeof state.updated === "number" &&
      Date.now() - state.updated < FORGET_AFTER_MS;
    if (fresh && !TEXTS.hasOwnProperty(state.language)) {
      state.language = null;
    }
    return fresh ? state : newState(null);
  }

  /** A new conversation; `language` is the resident's own choice, if any. */
  function newState(language) {
    return { sender: makeId(), open: false, messages: [], updated: Date.now(), language: language };
  }

  function saveState() {
    state.updated = Date.now();
    state.messages = state.messages.slice(-MAX_KEPT);
    var raw = JSON.stringify(state);
    try {
      window.localStorage.setItem(STORE_KEY, raw);
    } catch (_e) {
      memoryStore = raw;
    }
  }

  var state = loadState();
  var lang = state.language || pageLanguage();
  TEXT = TEXTS[lang];

  // Every node whose words depend on the language, to relabel on a switch.
  var labelled = [];

  /** Gives `node` the text (or attribute `attr`) TEXT[key] now and on every switch. */
  function label(node, key, attr) {
    labelled.push({ node: node, key: key, attr: attr });
    applyLabel(labelled[labelled.length - 1]);
    return node;
  }

  function applyLabel(item) {
    var value = typeof item.key === "function" ? item.key() : TEXT[item.key];
    if (item.attr) {
      item.node.setAttribute(item.attr, value);
    } else {
      item.node.textContent = value;
    }
  }

  // --- building the widget -------------------------------------------------------

  var host = el("div", { id: "servicelotsen-chat", hidden: true });
  var root = host.attachShadow({ mode: "open" });
  var stylesheet = el("link", { rel: "stylesheet", href: new URL("servicelotsen.css", ASSETS).href });
  function reveal() {
    host.hidden = false; // unstyled but usable beats invisible, if the sheet fails
    if (!panel.hidden && log.lastElementChild) {
      scrollTo(log.lastElementChild); // layout exists only now
    }
  }
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);

  var launcher = el("button", {
    type: "button",
    class: "sl-launcher",
    "aria-expanded": "false",
    "aria-controls": "sl-panel",
  }, [chatIcon(), label(el("span"), "launcher")]);

  var closeButton = label(el("button", { type: "button", class: "sl-header-button" }, [
    el("span", { "aria-hidden": "true", class: "sl-x", text: "×" }),
    label(el("span"), "close"),
  ]), "closeLabel", "aria-label");
  var restartButton = label(el("button", { type: "button", class: "sl-restart" }), "restart");

  // The language switch: real buttons, each named in its own language, the
  // one showing pressed. Choosing one relabels the widget at once and is
  // sent with every later message.
  var languageButtons = LANGUAGES.map(function (language) {
    var button = el("button", {
      type: "button",
      class: "sl-language",
      lang: language.code,
      "aria-pressed": "false",
      text: language.name,
    });
    button.addEventListener("click", function () {
      chooseLanguage(language.code);
    });
    return button;
  });
  var languageSwitch = label(
    el("div", { class: "sl-languages", role: "group" }, languageButtons),
    "language",
    "aria-label"
  );

  var alertBox = el("div", { class: "sl-alert", role: "alert" });
  var log = el("div", {
    class: "sl-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    tabindex: "0",
  });
  label(log, "log", "aria-label");
  var typing = el("p", { class: "sl-typing", role: "status" });
  var input = el("input", {
    id: "sl-input",
    class: "sl-input",
    type: "text",
    autocomplete: "off",
    maxlength: "1000",
    enterkeyhint: "send",
  });
  label(input, "placeholder", "placeholder");
  var sendButton = label(el("button", { type: "submit", class: "sl-send" }), "send");
  var form = el("form", { class: "sl-form", novalidate: true }, [
    label(el("label", { for: "sl-input", class: "sl-label" }), "inputLabel"),
    el("div", { class: "sl-input-row" }, [input, sendButton]),
  ]);

  var geoButton = el("button", {
    type: "button",
    class: "sl-chip sl-chip-geo",
    "aria-expanded": "false",
    "aria-controls": "sl-geo",
  }, [pinIcon(), label(el("span"), "geoButton")]);
  // Browsers share a position only with https pages (and localhost): where it
  // cannot work, the button is not offered at all.
  geoButton.hidden = !navigator.geolocation || window.isSecureContext === false;
  var quick = label(el("div", { class: "sl-quick", role: "group" },
    QUICK_REPLIES.map(function (payload, i) {
      var title = function () { return TEXT.quickReplies[i]; };
      var button = label(el("button", { type: "button", class: "sl-chip" }), title);
      button.addEventListener("click", function () {
        send(payload, title());
      });
      return button;
    }).concat([geoButton])), "quick", "aria-label");

  var geoShare = label(el("button", { type: "button", class: "sl-primary", "aria-describedby": "sl-geo-text" }), "geoShare");
  var geoCancel = label(el("button", { type: "button", class: "sl-secondary" }), "geoCancel");
  var geoPanel = el("div", { id: "sl-geo", class: "sl-geo", role: "group", "aria-labelledby": "sl-geo-title", hidden: true }, [
    label(el("p", { id: "sl-geo-title", class: "sl-geo-title" }), "geoTitle"),
    label(el("p", { id: "sl-geo-text", class: "sl-geo-text" }), "geoExplain"),
    el("div", { class: "sl-geo-buttons" }, [geoShare, geoCancel]),
  ]);

  // the privacy page in the language showing (its hreflang says which)
  var privacyText = el("p", { class: "sl-footer-text" });
  function privacyLink() {
    var code = PRIVACY_URLS.hasOwnProperty(lang) ? lang : "sv";
    var link = externalLink(PRIVACY_URLS[code], TEXT.privacy, TEXT.newTab);
    link.setAttribute("hreflang", code);
    privacyText.replaceChildren(link);
  }
  privacyLink();

  var panel = el("section", { id: "sl-panel", class: "sl-panel", "aria-labelledby": "sl-title", hidden: true }, [
    el("header", { class: "sl-header" }, [
      el("div", { class: "sl-heading" }, [
        label(el("h2", { id: "sl-title", class: "sl-title" }), "title"),
        label(el("p", { class: "sl-subtitle" }), "subtitle"),
      ]),
      closeButton,
      languageSwitch,
    ]),
    alertBox,
    log,
    typing,
    geoPanel,
    quick,
    form,
    el("footer", { class: "sl-footer" }, [
      privacyText,
      restartButton,
    ]),
  ]);

  var widgetRoot = el("div", { class: "sl-root", lang: lang }, [launcher, panel]);
  root.append(stylesheet, widgetRoot);

  function svg(paths, viewBox) {
    var ns = "http://www.w3.org/2000/svg";
    var icon = document.createElementNS(ns, "svg");
    icon.setAttribute("viewBox", viewBox || "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    icon.setAttribute("class", "sl-icon");
    paths.forEach(function (d) {
      var path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      icon.append(path);
    });
    return icon;
  }

  function chatIcon() {
    return svg(["M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"]);
  }

  function pinIcon() {
    return svg(["M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6a2.5 2.5 0 0 1 0 5.5z"]);
  }

  // --- messages ------------------------------------------------------------------

  function placeCard(place) {
    var name = String(place.name);
    var distance = null;
    if (place.distance) {
      distance = place.distance + TEXT.crowFlies +
        (place.road_estimate ? fill(TEXT.road, { road: place.road_estimate }) : "");
    }
    var hoursClass = place.open_now === true ? "sl-open" : place.open_now === false ? "sl-closed" : "sl-unknown";
    var links = [];
    var map = webUrl(place.map_url);
    if (map) {
      links.push(externalLink(map, TEXT.map, fill(TEXT.mapHidden, { name: name }), "sl-place-link"));
    }
    var website = webUrl(place.website);
    if (website) {
      links.push(externalLink(website, TEXT.website, fill(TEXT.websiteHidden, { name: name }), "sl-place-link"));
    }
    var phone = typeof place.phone === "string" ? place.phone : null;
    var tel = phone ? phone.replace(/[^\d+]/g, "") : "";
    var reportButton = null;
    if (typeof place.id === "string" && /^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,119}$/.test(place.id)) {
      // "Stämmer inte?": tells the bot which point is wrong; it asks what.
      reportButton = el("button", { type: "button", class: "sl-report" }, [
        TEXT.report,
        srOnly(fill(TEXT.reportHidden, { name: name })),
      ]);
      reportButton.addEventListener("click", function () {
        send("/report_change" + JSON.stringify({ point_id: place.id }), fill(TEXT.reportShown, { name: name }));
      });
    }
    return el("li", { class: "sl-place" }, [
      el("p", { class: "sl-place-name" }, [
        place.number ? el("span", { class: "sl-place-number", text: place.number + ". " }) : null,
        el("span", { text: name }),
      ]),
      distance ? el("p", { class: "sl-place-distance", text: distance }) : null,
      place.address ? el("p", { class: "sl-place-address", text: place.address }) : null,
      place.status ? el("p", { class: "sl-place-status " + hoursClass }, [
        el("span", { class: "sl-dot", "aria-hidden": "true" }),
        el("span", { text: capitalise(place.status) }),
      ]) : null,
      place.today ? el("p", { class: "sl-place-today", text: TEXT.today + place.today }) : null,
      typeof place.carriers === "string" && place.carriers
        ? el("p", { class: "sl-place-carriers", text: capitalise(place.carriers) }) : null,
      typeof place.also === "string" && place.also
        ? el("p", { class: "sl-place-also", text: place.also }) : null,
      phone && tel ? el("p", { class: "sl-place-phone" }, [
        TEXT.phone,
        el("a", { href: "tel:" + tel, text: phone }),
      ]) : null,
      links.length || reportButton
        ? el("p", { class: "sl-place-links" }, links.concat(reportButton ? [reportButton] : [])) : null,
    ]);
  }

  function buttonsFor(buttons) {
    return el("div", { class: "sl-buttons", role: "group", "aria-label": TEXT.answers },
      buttons.map(function (b) {
        var button = el("button", { type: "button", class: "sl-chip", text: String(b.title) });
        button.addEventListener("click", function () {
          send(String(b.payload), String(b.title));
        });
        return button;
      }));
  }

  function renderBot(message) {
    var parts = [srOnly(TEXT.botSays)];
    if (message.text) {
      parts.push(el("div", { class: "sl-text" }, linkified(String(message.text))));
    }
    if (Array.isArray(message.places) && message.places.length) {
      parts.push(el("ol", { class: "sl-places", "aria-label": TEXT.places }, message.places.map(placeCard)));
    }
    if (message.after) {
      parts.push(el("div", { class: "sl-text sl-after" }, linkified(String(message.after))));
    }
    var withPlaces = Array.isArray(message.places) && message.places.length > 0;
    var node = el("div", { class: withPlaces ? "sl-msg sl-bot sl-with-places" : "sl-msg sl-bot" }, parts);
    if (Array.isArray(message.buttons) && message.buttons.length) {
      node.append(buttonsFor(message.buttons));
    }
    return node;
  }

  function renderUser(message) {
    var node = el("div", { class: "sl-msg sl-user" }, [
      srOnly(TEXT.youSay),
      el("div", { class: "sl-text", text: String(message.text) }),
    ]);
    if (message.failed) {
      node.append(el("p", { class: "sl-failed", text: TEXT.notSent }));
    }
    return node;
  }

  function render(message) {
    return message.from === "user" ? renderUser(message) : renderBot(message);
  }

  function scrollTo(node) {
    var top = node.offsetTop - 8;
    if (typeof log.scrollTo === "function") {
      log.scrollTo({ top: top, behavior: prefersReducedMotion() ? "auto" : "smooth" });
    } else {
      log.scrollTop = top;
    }
  }

  function add(message) {
    state.messages.push(message);
    saveState();
    var node = render(message);
    node.slMessage = message;
    log.append(node);
    scrollTo(node);
    return node;
  }

  function markFailed(node) {
    if (!node || node.slMessage.failed) {
      return;
    }
    node.slMessage.failed = true;
    saveState();
    node.append(el("p", { class: "sl-failed", text: TEXT.notSent }));
  }

  function renderAll() {
    log.replaceChildren.apply(log, state.messages.map(function (m) {
      var node = render(m);
      node.slMessage = m;
      return node;
    }));
  }

  function welcome() {
    if (!state.messages.length) {
      add({ from: "bot", text: TEXT.welcome, buttons: [], welcome: true });
    }
  }

  // --- talking to the front ------------------------------------------------------

  var queue = Promise.resolve();
  var pending = 0;
  var offline = false;
  var recheckTimer = null;

  function setAlert(text) {
    alertBox.textContent = text || "";
  }

  function setBusy(delta) {
    pending += delta;
    log.setAttribute("aria-busy", pending > 0 ? "true" : "false");
    typing.replaceChildren();
    if (pending > 0) {
      typing.append(TEXT.typing, el("span", { class: "sl-dots", "aria-hidden": "true" }, [
        el("span", { text: "." }), el("span", { text: "." }), el("span", { text: "." }),
      ]));
    }
  }

  function goOffline(text) {
    offline = true;
    setAlert(text || TEXT.offline);
    scheduleRecheck();
  }

  function goOnline() {
    if (offline) {
      offline = false;
      setAlert("");
    }
    if (recheckTimer) {
      clearTimeout(recheckTimer);
      recheckTimer = null;
    }
  }

  function scheduleRecheck() {
    if (recheckTimer || panel.hidden) {
      return;
    }
    recheckTimer = setTimeout(function () {
      recheckTimer = null;
      checkStatus(true);
    }, RECHECK_MS);
  }

  function request(path, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TURN_TIMEOUT_MS) : null;
    var init = Object.assign({ credentials: "omit", cache: "no-store", mode: "cors" }, options || {});
    if (controller) {
      init.signal = controller.signal;
    }
    return fetch(new URL(path, API).href, init).then(function (resp) {
      return resp.json().catch(function () { return null; }).then(function (body) {
        return { ok: resp.ok, status: resp.status, body: body };
      });
    }).finally(function () {
      if (timer) {
        clearTimeout(timer);
      }
    });
  }

  /** The front's API path with the language showing: its errors come in it. */
  function apiPath(name) {
    return name + "?language=" + encodeURIComponent(lang);
  }

  /** What to show for a failed request: the front's sentence when it is in
   * the language showing (`language` in the answer, Swedish when missing),
   * else the widget's own for the status. */
  function errorText(result) {
    var body = result && result.body;
    if (body && typeof body.error === "string" && (body.language || "sv") === lang) {
      return body.error;
    }
    return (result && TEXT.errors[result.status]) || null;
  }

  function checkStatus(announceBack) {
    return request(apiPath("status"), { method: "GET" }).then(function (result) {
      if (result.ok) {
        if (offline && announceBack) {
          setAlert("");
          typing.textContent = TEXT.back;
        }
        goOnline();
      } else {
        goOffline(errorText(result));
      }
    }, function () {
      goOffline();
    });
  }

  function turn(message, userNode, retypeable) {
    setBusy(1);
    return request(apiPath("chat"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        sender: state.sender,
        message: message,
        // Rasa gets it as message metadata (docs/web-chat.md)
        language: lang,
        language_source: state.language ? "switch" : "page",
      }),
    }).then(function (result) {
      if (!result.ok) {
        markFailed(userNode);
        if (result.status >= 500) {
          goOffline(errorText(result));
        } else {
          setAlert(errorText(result) || TEXT.failed);
        }
        restore(retypeable);
        return;
      }
      goOnline();
      setAlert("");
      var messages = result.body && Array.isArray(result.body.messages) ? result.body.messages : [];
      messages.forEach(function (m) {
        add({
          from: "bot",
          text: typeof m.text === "string" ? m.text : "",
          buttons: Array.isArray(m.buttons) ? m.buttons : [],
          places: Array.isArray(m.places) ? m.places : undefined,
          after: typeof m.after === "string" ? m.after : undefined,
        });
      });
    }, function () {
      markFailed(userNode);
      goOffline();
      restore(retypeable);
    }).finally(function () {
      setBusy(-1);
    });
  }

  function restore(text) {
    if (text && !input.value) {
      input.value = text;
    }
  }

  /** Show `shown` as the resident's message and send `message` (in order). */
  function send(message, shown) {
    var typed = shown === undefined;
    var userNode = add({ from: "user", text: typed ? message : shown });
    queue = queue.then(function () {
      return turn(message, userNode, typed ? message : null);
    });
    input.focus();
  }

  // --- position --------------------------------------------------------------------

  function toggleGeo(show) {
    geoPanel.hidden = !show;
    geoButton.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) {
      geoShare.focus();
    }
  }

  function localAnswer(text) {
    add({ from: "bot", text: text, buttons: [] });
  }

  function sharePosition() {
    toggleGeo(false);
    input.focus();
    if (!navigator.geolocation || window.isSecureContext === false) {
      localAnswer(TEXT.geoMissing);
      return;
    }
    typing.textContent = TEXT.geoWaiting;
    navigator.geolocation.getCurrentPosition(function (pos) {
      typing.textContent = "";
      // about 100 m: enough to find the nearest shop, less than an address
      var round = function (v) { return Math.round(v * 1000) / 1000; };
      var coords = { latitude: round(pos.coords.latitude), longitude: round(pos.coords.longitude) };
      send("/share_location" + JSON.stringify(coords), TEXT.myPosition);
    }, function (err) {
      typing.textContent = "";
      localAnswer(err && err.code === 1 ? TEXT.geoDenied : TEXT.geoFailed);
    }, { enableHighAccuracy: false, timeout: 20000, maximumAge: 300000 });
  }

  // --- language -------------------------------------------------------------------

  /** Shows the widget's own words in `code` ("sv" or "en"). */
  function setLanguage(code) {
    lang = code;
    TEXT = TEXTS[code];
    widgetRoot.setAttribute("lang", code);
    labelled.forEach(applyLabel);
    privacyLink();
    languageButtons.forEach(function (button, i) {
      button.setAttribute("aria-pressed", LANGUAGES[i].code === code ? "true" : "false");
    });
    // a conversation that has only the greeting gets it in the new language
    if (state.messages.length === 1 && state.messages[0].welcome) {
      state.messages[0].text = TEXT.welcome;
      saveState();
      renderAll();
    }
  }

  /** The resident pressed a language button: remembered with the conversation. */
  function chooseLanguage(code) {
    var changed = code !== lang;
    state.language = code;
    saveState();
    setLanguage(code);
    if (changed) {
      typing.textContent = TEXT.languageNow;
    }
  }

  setLanguage(lang);
  // a page that changes its own language (a site's language menu) takes the
  // widget along, unless the resident chose one in the widget
  if (window.MutationObserver) {
    new MutationObserver(function () {
      var code = pageLanguage();
      if (!state.language && code !== lang) {
        setLanguage(code);
      }
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  }

  // --- opening and closing ----------------------------------------------------------

  function setOpen(open, focus) {
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (state.open !== open) {
      state.open = open;
      saveState();
    }
    if (open) {
      welcome();
      var lastNode = log.lastElementChild;
      if (lastNode) {
        scrollTo(lastNode);
      }
      checkStatus(false);
      if (focus) {
        input.focus();
      }
    } else {
      toggleGeo(false);
      if (focus) {
        launcher.focus();
      }
    }
  }

  launcher.addEventListener("click", function () {
    setOpen(true, true);
  });
  closeButton.addEventListener("click", function () {
    setOpen(false, true);
  });
  restartButton.addEventListener("click", function () {
    state = newState(state.language); // the resident's language choice stays
    state.open = true;
    saveState();
    log.replaceChildren();
    setAlert("");
    welcome();
    typing.textContent = TEXT.restarted;
    input.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      if (!geoPanel.hidden) {
        toggleGeo(false);
        geoButton.focus();
      } else {
        setOpen(false, true);
      }
    }
  });
  geoButton.addEventListener("click", function () {
    toggleGeo(geoPanel.hidden);
  });
  geoShare.addEventListener("click", sharePosition);
  geoCancel.addEventListener("click", function () {
    toggleGeo(false);
    geoButton.focus();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    input.value = "";
    send(text);
  });

  // --- start -----------------------------------------------------------------------

  renderAll(); // before the live region is on the page: nothing is re-announced
  function mount() {
    document.body.append(host);
    if (state.open || (script && script.dataset.open === "true")) {
      setOpen(true, false);
    }
  }
  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }

  window.servicelotsenWidget = {
    open: function () { setOpen(true, true); },
    close: function () { setOpen(false, true); },
    /** For a site's own language menu: "sv" or "en", as if the resident chose it. */
    setLanguage: function (code) {
      if (TEXTS.hasOwnProperty(code)) {
        chooseLanguage(code);
      }
    },
  };
})();
