import { newId } from '../ids.js';
import type { Router } from '../router.js';
import type { Services } from '../services.js';
import type { FakeCustomer, FakePortalSession } from '../types.js';

export function customerRoutes(router: Router, { state, baseUrl }: Services): void {
  router
    .post('/v1/customers', ({ params }) => {
      params.allowOnly('email', 'name', 'metadata');
      const created: FakeCustomer = {
        id: newId('cus'),
        object: 'customer',
        created: state.now(),
        livemode: false,
        email: params.text('email') ?? null,
        name: params.text('name') ?? null,
        metadata: params.metadata(),
      };
      state.customers.set(created.id, created);
      return created;
    })
    .get('/v1/customers/:id', ({ id }) => state.customer(id, 'id'))
    .post('/v1/customers/:id', ({ id, params }) => {
      params.allowOnly('email', 'name', 'metadata');
      const customer = state.customer(id, 'id');
      const email = params.text('email');
      const name = params.text('name');
      customer.email = email === undefined ? customer.email : email;
      customer.name = name === undefined ? customer.name : name;
      customer.metadata = params.metadata(customer.metadata);
      return customer;
    })
    .post('/v1/billing_portal/sessions', ({ params }) => {
      params.allowOnly('customer', 'return_url');
      const customer = state.customer(params.requiredText('customer'));
      const id = newId('bps');
      const session: FakePortalSession = {
        id,
        object: 'billing_portal.session',
        created: state.now(),
        livemode: false,
        customer: customer.id,
        return_url: params.text('return_url') ?? null,
        url: `${baseUrl()}/portal/${id}`,
      };
      state.portalSessions.set(id, session);
      return session;
    });
}
