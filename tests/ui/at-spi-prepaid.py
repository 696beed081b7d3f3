#!/usr/bin/python3
# at-spi-prepaid.py: the Balance & Usage tab driven through the
# accessibility bus against a real bijli-central with simulated meters: a
# consumer whose supply was cut for want of credit, the live balance and
# what reconnects it, the consumption chart, a cash recharge taken at the
# counter (confirmed, credited with a receipt number) and the supply back
# on the page without reloading.
#
#   xvfb-run -a dbus-run-session -- /usr/bin/python3 at-spi-prepaid.py \
#       --desk build/src/ui/bijli-desk --central build/src/server/bijli-central
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time

_spec = importlib.util.spec_from_file_location(
    'at_spi_test', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'at-spi-test.py'))
t = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(t)


def rupees(paise):
    """₹ with Indian grouping and a true minus, as the desk shows money."""
    sign = '−' if paise < 0 else ''
    whole, fraction = divmod(abs(paise), 100)
    digits = str(whole)
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        digits = ','.join(groups) + ',' + tail
    return f"{sign}₹{digits}.{fraction:02d}"


def run(args, tmp):
    central, url = t.start_central(args.central, os.path.join(tmp, 'central.db'))
    desk = None
    try:
        token = t.api(url, '/api/v1/session', body={'username': 'operator', 'password': 'bijli-operator'})['token']
        consumers = [c['consumer'] for c in t.api(url, '/api/v1/changes?limit=400', token=token)['changes']]
        cut = None
        for consumer in consumers:
            if consumer['meter_type'] != 'smart' or consumer['supply_status'] != 'disconnected':
                continue
            balance = t.api(url, f"/api/v1/consumers/{consumer['account']}/balance", token=token)
            if balance['communicating'] and balance['reconnect_minimum_paise'] > 0:
                cut = consumer
                break
        if cut is None:
            raise t.TestFailure("no demo consumer with a cut supply and a communicating meter")
        account = cut['account']
        t.log(f"# consumer {account}, balance {rupees(balance['balance_paise'])}, "
              f"reconnects from {rupees(balance['reconnect_minimum_paise'])}")

        env = dict(os.environ)
        env.update({
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'GSETTINGS_BACKEND': 'memory',
            'LANGUAGE': 'en',
            'BIJLI_DESK_PASSWORD': 'bijli-operator',
            'GSK_RENDERER': env.get('GSK_RENDERER', 'cairo'),
        })
        env.pop('GTK_A11Y', None)
        desk = subprocess.Popen([args.desk, '--server', url, '--username', 'operator', '--sign-in'], env=env)
        app = t.wait_for("bijli-desk on the accessibility bus", lambda: t.find_desk(desk.pid))
        search = t.wait_for("the search after signing in",
                            lambda: t.find(app, t.TEXT_ROLES, name='Search consumers'), timeout=60)
        t.wait_for("the first sync", lambda: next((n for n in t.walk(app) if n.getRoleName() == 'label'
                                                   and t.text_of(n).startswith('Synced')), None), timeout=60)
        t.set_text(search, account)
        t.wait_for("the consumer's record", lambda: t.page_heading(app, account), timeout=30)
        tab = t.wait_for("the Balance & Usage tab",
                         lambda: t.find(app, ('toggle button', 'push button', 'page tab'), name='Balance & Usage'))
        t.press(tab)

        # The live balance, as the server has it, large on the card.
        expected = rupees(balance['balance_paise'])
        amount = t.wait_for("the live balance",
                            lambda: next((n for n in t.walk(app) if n.getRoleName() == 'label'
                                          and (n.name or '').startswith('Prepaid balance ' + expected)
                                          and 'As of' in (n.name or '')), None), timeout=30)
        text = t.all_text(app)
        minimum = rupees(balance['reconnect_minimum_paise'])
        if f"A recharge of at least {minimum} reconnects it" not in text:
            raise t.TestFailure(f"the card does not say what reconnects the supply ({minimum})")
        t.log(f"ok 1 - the balance card reads “{amount.name}” and says a recharge of {minimum} reconnects")

        chart = t.wait_for("the consumption chart",
                           lambda: t.find(app, ('image', 'canvas', 'chart', 'panel'), name='Consumption chart'))
        described = t.wait_for("the chart's summary", lambda: 'kWh' in (chart.description or '') and chart.description)
        t.log(f"ok 2 - the consumption chart is there: “{described}”")
        if args.screenshots:
            time.sleep(1)
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'prepaid-tab.png')])

        # A cash recharge of the reconnecting amount, rounded up to ₹100.
        amount_paise = max(1000, -(-balance['reconnect_minimum_paise'] // 10000) * 10000)
        t.press(t.wait_for("the Recharge button", lambda: t.find(app, ('push button',), name='Recharge…')))
        if args.screenshots:
            time.sleep(1)
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'recharge-open.png')])
        other = t.wait_for("the amount field", lambda: t.find(app, t.TEXT_ROLES, name='Other amount in rupees'))
        t.set_text(other, str(amount_paise // 100))
        take = t.wait_for("the Take button",
                          lambda: t.find(app, ('push button',), name=f"Take {rupees(amount_paise)}"))
        if args.screenshots:
            time.sleep(0.5)
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'recharge-dialog.png')])
        t.press(take)
        t.press(t.wait_for("the confirmation", lambda: next((n for n in t.walk(app) if n.getRoleName() == 'push button'
                                                            and (n.name or '').replace('_', '').endswith('Credit')), None)))
        credited = t.wait_for("the recharge credited",
                              lambda: next((n for n in t.walk(app) if 'Receipt RC-' in (t.text_of(n) + (n.name or ''))), None),
                              timeout=30)
        recharges = t.api(url, f"/api/v1/consumers/{account}/recharges", token=token)['recharges']
        if len(recharges) != 1 or recharges[0]['amount_paise'] != amount_paise or recharges[0]['mode'] != 'cash':
            raise t.TestFailure(f"the server has the wrong recharges: {recharges}")
        if not recharges[0]['reconnected']:
            raise t.TestFailure("the recharge did not reconnect the supply")
        t.log(f"ok 3 - {rupees(amount_paise)} in cash credited once as {recharges[0]['receipt']}, supply reconnected")
        if args.screenshots:
            subprocess.run(['import', '-window', 'root', os.path.join(args.screenshots, 'recharge-credited.png')])
        t.press(t.wait_for("Done", lambda: t.find(app, ('push button',), name='Done')))

        # The page follows without a reload: new balance, supply back.
        after = rupees(recharges[0]['balance_after_paise'])
        t.wait_for("the new balance on the card",
                   lambda: next((n for n in t.walk(app) if n.getRoleName() == 'label'
                                 and (n.name or '').startswith('Prepaid balance ')
                                 and 'Supply cut' not in (n.name or '')), None), timeout=30)
        t.wait_for("the recharge in the list",
                   lambda: t.find(app, t.ROW_ROLES + ('list item', 'label'), contains=recharges[0]['receipt']))
        t.log(f"ok 4 - the card shows the supply back (balance after {after}) and the recharge with its receipt")

        if desk.poll() is not None:
            raise t.TestFailure(f"bijli-desk exited with {desk.returncode}")
        t.log("ok 5 - bijli-desk is still running")
        return 0
    finally:
        t.stop_process(desk)
        t.stop_process(central)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--desk', required=True)
    parser.add_argument('--central', required=True)
    parser.add_argument('--screenshots', help="save screenshots in this folder")
    parser.add_argument('--keep', action='store_true')
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix='bijli-at-spi-prepaid-')
    try:
        t.log("1..5")
        return run(args, tmp)
    except t.TestFailure as failure:
        t.log(f"not ok - {failure}")
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
