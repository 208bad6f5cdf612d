// The storefront's card form with Stripe.js: card details go from the browser to Stripe, never
// to the store. The page's form carries the publishable key; on submit the card becomes a
// payment method (createPaymentMethod; a token's card where a Stripe.js stand-in such as
// localstripe has no createPaymentMethod), and the form posts only its id. A page for an extra
// step (3-D Secure) carries the intent's client secret instead: confirmCardPayment shows the
// bank's check, and the shopper then returns to the store, which asks Stripe how it went.
(function () {
  'use strict';
  var form = document.getElementById('stripe-payment');
  if (!form) { return; }
  var message = document.getElementById('stripe-message');
  var button = form.querySelector('button[type="submit"]');
  function say(text) {
    message.textContent = text;
    message.hidden = !text;
  }
  if (typeof window.Stripe !== 'function') {
    say('The card form could not load. Check your connection and reload the page.');
    if (button) { button.disabled = true; }
    return;
  }
  var stripe = window.Stripe(form.getAttribute('data-publishable-key'));

  var clientSecret = form.getAttribute('data-client-secret');
  if (clientSecret) {
    var back = form.getAttribute('action');
    stripe.confirmCardPayment(clientSecret).then(function () {
      window.location.assign(back);
    }, function () {
      window.location.assign(back);
    });
    return;
  }

  var card = stripe.elements().create('card');
  card.mount('#card-element');
  form.hidden = false;
  var ready = false;
  form.addEventListener('submit', function (event) {
    if (ready) { return; }
    event.preventDefault();
    say('');
    button.disabled = true;
    paymentMethod().then(function (id) {
      form.elements.paymentMethod.value = id;
      ready = true;
      form.submit();
    }, function (error) {
      say((error && error.message) || 'The card could not be read. Check it and try again.');
      button.disabled = false;
    });
  });

  function paymentMethod() {
    return Promise.resolve(stripe.createPaymentMethod({ type: 'card', card: card })).then(function (created) {
      if (created && created.error) { throw created.error; }
      if (created && created.paymentMethod) { return created.paymentMethod.id; }
      return stripe.createToken(card).then(function (result) {
        if (result.error) { throw result.error; }
        return result.token.card.id;
      });
    });
  }
})();
